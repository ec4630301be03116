import { Injectable } from '@nestjs/common';
import { REMOVE_RECIPIENT_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { RemoveRecipientTagsUseCase } from '../use-cases/remove-recipient-tags/remove-recipient-tags.use-case';

@Injectable()
export class RemoveRecipientTagsHandler implements MessageHandler<typeof REMOVE_RECIPIENT_TAGS> {
  readonly type = REMOVE_RECIPIENT_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: RemoveRecipientTagsUseCase,
  ) {}

  async handle(command: Message<typeof REMOVE_RECIPIENT_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
