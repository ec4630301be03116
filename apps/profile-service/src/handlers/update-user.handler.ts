import { Injectable } from '@nestjs/common';
import { Message, UPDATE_USER } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { UpdateUserUseCase } from '../use-cases/update-user/update-user.use-case';

@Injectable()
export class UpdateUserHandler implements MessageHandler<typeof UPDATE_USER> {
  readonly type = UPDATE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: UpdateUserUseCase,
  ) {}

  async handle(command: Message<typeof UPDATE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
