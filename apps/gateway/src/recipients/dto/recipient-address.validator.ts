import { ValidateBy, ValidationOptions } from 'class-validator';
import { RecipientChannel, normaliseRecipientAddress } from '@omni/contracts';

/** The body field that carries a channel's address (EmailCreate.email, SmsCreate.phone). */
export const ADDRESS_FIELD: Record<RecipientChannel, 'email' | 'phone'> = { email: 'email', sms: 'phone' };

/** The 400 message for an address that does not normalise (the same words the recipient-service uses; never the value). */
export const ADDRESS_MESSAGE: Record<RecipientChannel, string> = {
  email: 'must be a valid email address',
  sms: 'must be a valid phone number (international, or national with a region)',
};

/** The `region` of the body being validated, when it is a string (the default country of a national phone number). */
function regionOf(object: unknown): string | undefined {
  const region = (object as { region?: unknown } | null)?.region;
  return typeof region === 'string' ? region : undefined;
}

/**
 * An address that normalises on its channel: `normaliseEmail`, or `normalisePhone` with the body's
 * `region` (so `06 12345678` with `"region": "NL"` is valid, without a region it is not).
 */
export function IsRecipientAddress(channel: RecipientChannel, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRecipientAddress',
      constraints: [channel],
      validator: {
        validate: (value: unknown, args) => typeof value === 'string' && normaliseRecipientAddress(channel, value, regionOf(args?.object)) !== undefined,
        defaultMessage: (args) => `${args?.property ?? ADDRESS_FIELD[channel]} ${ADDRESS_MESSAGE[channel]}`,
      },
    },
    options,
  );
}
