import { Injectable } from '@nestjs/common';
import { ASSIGN_DEVICE_USER, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { AssignDeviceUserUseCase } from '../use-cases/assign-device-user/assign-device-user.use-case';

@Injectable()
export class AssignDeviceUserHandler implements MessageHandler<typeof ASSIGN_DEVICE_USER> {
  readonly type = ASSIGN_DEVICE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: AssignDeviceUserUseCase,
  ) {}

  async handle(command: Message<typeof ASSIGN_DEVICE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
