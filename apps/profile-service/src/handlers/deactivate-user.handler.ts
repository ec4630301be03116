import { Injectable } from '@nestjs/common';
import { Message, DEACTIVATE_USER } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { DeactivateUserUseCase } from '../use-cases/deactivate-user/deactivate-user.use-case';

@Injectable()
export class DeactivateUserHandler implements MessageHandler<typeof DEACTIVATE_USER> {
  readonly type = DEACTIVATE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: DeactivateUserUseCase,
  ) {}

  async handle(command: Message<typeof DEACTIVATE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
