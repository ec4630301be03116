import { Injectable } from '@nestjs/common';
import { REGISTER_RECIPIENT, Message } from '@omni/contracts';
import { CommandProcessor, MessageContext, MessageHandler } from '@omni/messaging';
import { RegisterRecipientUseCase } from '../use-cases/register-recipient/register-recipient.use-case';

@Injectable()
export class RegisterRecipientHandler implements MessageHandler<typeof REGISTER_RECIPIENT> {
  readonly type = REGISTER_RECIPIENT;

  constructor(
    private readonly processor: CommandProcessor,
    private readonly useCase: RegisterRecipientUseCase,
  ) {}

  async handle(command: Message<typeof REGISTER_RECIPIENT>, context: MessageContext): Promise<void> {
    await this.processor.process(context.consumer, command, (em, cmd) => this.useCase.execute(em, cmd));
  }
}
