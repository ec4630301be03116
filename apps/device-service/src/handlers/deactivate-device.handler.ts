import { Injectable } from '@nestjs/common';
import { DEACTIVATE_DEVICE, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { DeactivateDeviceUseCase } from '../use-cases/deactivate-device/deactivate-device.use-case';

@Injectable()
export class DeactivateDeviceHandler implements MessageHandler<typeof DEACTIVATE_DEVICE> {
  readonly type = DEACTIVATE_DEVICE;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: DeactivateDeviceUseCase,
  ) {}

  async handle(command: Message<typeof DEACTIVATE_DEVICE>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
