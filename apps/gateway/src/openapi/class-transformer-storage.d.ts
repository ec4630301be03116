/** class-transformer's metadata storage (its `@Type()` targets), which the package ships without a typed entry point. */
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

  export const defaultMetadataStorage: MetadataStorage;
}
