import { Injectable } from '@nestjs/common';
import { ADD_RECIPIENT_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { AddRecipientTagsUseCase } from '../use-cases/add-recipient-tags/add-recipient-tags.use-case';

@Injectable()
export class AddRecipientTagsHandler implements MessageHandler<typeof ADD_RECIPIENT_TAGS> {
  readonly type = ADD_RECIPIENT_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: AddRecipientTagsUseCase,
  ) {}

  async handle(command: Message<typeof ADD_RECIPIENT_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
