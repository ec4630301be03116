import { Injectable } from '@nestjs/common';
import { ERASE_RECIPIENT_USER, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { EraseRecipientUserUseCase } from '../use-cases/erase-recipient-user/erase-recipient-user.use-case';

@Injectable()
export class EraseRecipientUserHandler implements MessageHandler<typeof ERASE_RECIPIENT_USER> {
  readonly type = ERASE_RECIPIENT_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: EraseRecipientUserUseCase,
  ) {}

  async handle(command: Message<typeof ERASE_RECIPIENT_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
