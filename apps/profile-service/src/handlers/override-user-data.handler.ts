import { Injectable } from '@nestjs/common';
import { Message, OVERRIDE_USER_DATA } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { OverrideUserDataUseCase } from '../use-cases/override-user-data/override-user-data.use-case';

@Injectable()
export class OverrideUserDataHandler implements MessageHandler<typeof OVERRIDE_USER_DATA> {
  readonly type = OVERRIDE_USER_DATA;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: OverrideUserDataUseCase,
  ) {}

  async handle(command: Message<typeof OVERRIDE_USER_DATA>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
