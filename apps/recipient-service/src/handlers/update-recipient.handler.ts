import { Injectable } from '@nestjs/common';
import { UPDATE_RECIPIENT, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { UpdateRecipientUseCase } from '../use-cases/update-recipient/update-recipient.use-case';

@Injectable()
export class UpdateRecipientHandler implements MessageHandler<typeof UPDATE_RECIPIENT> {
  readonly type = UPDATE_RECIPIENT;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: UpdateRecipientUseCase,
  ) {}

  async handle(command: Message<typeof UPDATE_RECIPIENT>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
