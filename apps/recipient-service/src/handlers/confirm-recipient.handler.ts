import { Injectable } from '@nestjs/common';
import { CONFIRM_RECIPIENT, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { ConfirmRecipientUseCase } from '../use-cases/confirm-recipient/confirm-recipient.use-case';

@Injectable()
export class ConfirmRecipientHandler implements MessageHandler<typeof CONFIRM_RECIPIENT> {
  readonly type = CONFIRM_RECIPIENT;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: ConfirmRecipientUseCase,
  ) {}

  async handle(command: Message<typeof CONFIRM_RECIPIENT>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
