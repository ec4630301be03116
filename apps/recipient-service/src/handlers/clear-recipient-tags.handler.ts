import { Injectable } from '@nestjs/common';
import { CLEAR_RECIPIENT_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { ClearRecipientTagsUseCase } from '../use-cases/clear-recipient-tags/clear-recipient-tags.use-case';

@Injectable()
export class ClearRecipientTagsHandler implements MessageHandler<typeof CLEAR_RECIPIENT_TAGS> {
  readonly type = CLEAR_RECIPIENT_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: ClearRecipientTagsUseCase,
  ) {}

  async handle(command: Message<typeof CLEAR_RECIPIENT_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
