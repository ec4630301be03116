import { Injectable } from '@nestjs/common';
import { UPDATE_DEVICE, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { UpdateDeviceUseCase } from '../use-cases/update-device/update-device.use-case';

@Injectable()
export class UpdateDeviceHandler implements MessageHandler<typeof UPDATE_DEVICE> {
  readonly type = UPDATE_DEVICE;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: UpdateDeviceUseCase,
  ) {}

  async handle(command: Message<typeof UPDATE_DEVICE>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
