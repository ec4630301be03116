import { Injectable } from '@nestjs/common';
import { REGISTER_DEVICE, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { RegisterDeviceUseCase } from '../use-cases/register-device/register-device.use-case';

@Injectable()
export class RegisterDeviceHandler implements MessageHandler<typeof REGISTER_DEVICE> {
  readonly type = REGISTER_DEVICE;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: RegisterDeviceUseCase,
  ) {}

  async handle(command: Message<typeof REGISTER_DEVICE>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
