import { Injectable } from '@nestjs/common';
import { ERASE_DEVICE_USER, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { EraseDeviceUserUseCase } from '../use-cases/erase-device-user/erase-device-user.use-case';

@Injectable()
export class EraseDeviceUserHandler implements MessageHandler<typeof ERASE_DEVICE_USER> {
  readonly type = ERASE_DEVICE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: EraseDeviceUserUseCase,
  ) {}

  async handle(command: Message<typeof ERASE_DEVICE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
