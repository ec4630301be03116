import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { RecipientChannel, RecipientVerification } from '@omni/contracts';
import { RecipientPropertyValues, RecipientUserData, StoredRecipientStatus } from '../domain/recipient';

@Entity({ name: 'recipients' })
export class RecipientEntity {
  @PrimaryColumn({ type: 'text' })
  application!: string;

  @PrimaryColumn({ name: 'recipient_id', type: 'text' })
  recipientId!: string;

  @Column({ type: 'text' })
  channel!: RecipientChannel;

  /** Normalised address: personal data. Null once erased. */
  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  @Column({ type: 'jsonb' })
  properties!: RecipientPropertyValues;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ name: 'user_data', type: 'jsonb' })
  userData!: RecipientUserData;

  @Column({ type: 'text' })
  status!: StoredRecipientStatus;

  @Column({ type: 'text' })
  verification!: RecipientVerification;

  /** SHA-256 (base64url) of the pending verification token; never the token itself. */
  @Column({ name: 'token_hash', type: 'text', nullable: true })
  tokenHash!: string | null;

  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt!: Date | null;

  @Column({ type: 'integer' })
  version!: number;

  /** When the contact began (its first registration, or anew after erasure); null for a tombstone. */
  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true })
  registeredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
