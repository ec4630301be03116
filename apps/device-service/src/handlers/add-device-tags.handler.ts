import { Injectable } from '@nestjs/common';
import { ADD_DEVICE_TAGS, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { AddDeviceTagsUseCase } from '../use-cases/add-device-tags/add-device-tags.use-case';

@Injectable()
export class AddDeviceTagsHandler implements MessageHandler<typeof ADD_DEVICE_TAGS> {
  readonly type = ADD_DEVICE_TAGS;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: AddDeviceTagsUseCase,
  ) {}

  async handle(command: Message<typeof ADD_DEVICE_TAGS>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
