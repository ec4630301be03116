import { Injectable } from '@nestjs/common';
import { REMOVE_DEVICE_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { RemoveDeviceTagsUseCase } from '../use-cases/remove-device-tags/remove-device-tags.use-case';

@Injectable()
export class RemoveDeviceTagsHandler implements MessageHandler<typeof REMOVE_DEVICE_TAGS> {
  readonly type = REMOVE_DEVICE_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: RemoveDeviceTagsUseCase,
  ) {}

  async handle(command: Message<typeof REMOVE_DEVICE_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
