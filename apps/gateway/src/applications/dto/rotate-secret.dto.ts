import { IsIn } from 'class-validator';
import { SecretKind } from '../applications.store';

export class RotateSecretDto {
  /** Which secret to replace. */
  @IsIn(['application', 'master'])
  secret!: SecretKind;
}
