import { Injectable } from '@nestjs/common';
import { CLEAR_DEVICE_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { ClearDeviceTagsUseCase } from '../use-cases/clear-device-tags/clear-device-tags.use-case';

@Injectable()
export class ClearDeviceTagsHandler implements MessageHandler<typeof CLEAR_DEVICE_TAGS> {
  readonly type = CLEAR_DEVICE_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: ClearDeviceTagsUseCase,
  ) {}

  async handle(command: Message<typeof CLEAR_DEVICE_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
