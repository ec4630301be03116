import { Injectable } from '@nestjs/common';
import { OVERRIDE_DEVICE_USER_DATA, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { OverrideDeviceUserDataUseCase } from '../use-cases/override-device-user-data/override-device-user-data.use-case';

@Injectable()
export class OverrideDeviceUserDataHandler implements MessageHandler<typeof OVERRIDE_DEVICE_USER_DATA> {
  readonly type = OVERRIDE_DEVICE_USER_DATA;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: OverrideDeviceUserDataUseCase,
  ) {}

  async handle(command: Message<typeof OVERRIDE_DEVICE_USER_DATA>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
