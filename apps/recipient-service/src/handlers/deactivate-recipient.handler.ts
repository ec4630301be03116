import { Injectable } from '@nestjs/common';
import { DEACTIVATE_RECIPIENT, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { DeactivateRecipientUseCase } from '../use-cases/deactivate-recipient/deactivate-recipient.use-case';

@Injectable()
export class DeactivateRecipientHandler implements MessageHandler<typeof DEACTIVATE_RECIPIENT> {
  readonly type = DEACTIVATE_RECIPIENT;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: DeactivateRecipientUseCase,
  ) {}

  async handle(command: Message<typeof DEACTIVATE_RECIPIENT>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
