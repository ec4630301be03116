import { Injectable } from '@nestjs/common';
import { Message, ERASE_USER } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { EraseUserUseCase } from '../use-cases/erase-user/erase-user.use-case';

@Injectable()
export class EraseUserHandler implements MessageHandler<typeof ERASE_USER> {
  readonly type = ERASE_USER;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: EraseUserUseCase,
  ) {}

  async handle(command: Message<typeof ERASE_USER>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
