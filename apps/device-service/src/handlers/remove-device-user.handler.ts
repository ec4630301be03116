import { Injectable } from '@nestjs/common';
import { REMOVE_DEVICE_USER, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { RemoveDeviceUserUseCase } from '../use-cases/remove-device-user/remove-device-user.use-case';

@Injectable()
export class RemoveDeviceUserHandler implements MessageHandler<typeof REMOVE_DEVICE_USER> {
  readonly type = REMOVE_DEVICE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: RemoveDeviceUserUseCase,
  ) {}

  async handle(command: Message<typeof REMOVE_DEVICE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
