import { IsInt, IsString, getMetadataStorage, validateSync } from 'class-validator';
import { memoiseValidationMetadata } from './validation-metadata';

describe('memoiseValidationMetadata', () => {
  beforeAll(() => memoiseValidationMetadata());

  it('looks a class up once: the same rules come back', () => {
    class Named {
      @IsString()
      name!: string;
    }
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Named, '', true, false);
    expect(first.map((rule) => rule.propertyName)).toEqual(['name']);
    expect(storage.getTargetValidationMetadatas(Named, '', true, false)).toBe(first);
  });

  it('a rule added after a lookup counts, also through a subclass', () => {
    class Base {
      @IsString()
      name!: string;
      age?: unknown;
    }
    class Derived extends Base {}
    const invalid = () => Object.assign(new Derived(), { name: 1, age: 'x' });
    expect(validateSync(invalid()).map((error) => error.property)).toEqual(['name']);
    IsInt()(Base.prototype, 'age');
    expect(validateSync(invalid()).map((error) => error.property).sort()).toEqual(['age', 'name']);
  });

  it('installs once, however often it is called', () => {
    const storage = getMetadataStorage();
    const installed = storage.getTargetValidationMetadatas;
    memoiseValidationMetadata();
    expect(storage.getTargetValidationMetadatas).toBe(installed);
  });
});
