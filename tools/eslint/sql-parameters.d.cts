import type { ESLint, Rule } from 'eslint';

/** The local ESLint plugin (`omni`) eslint.config.mjs registers; see sql-parameters.cjs. */
export declare const plugin: ESLint.Plugin & { rules: { 'sql-parameters': Rule.RuleModule } };
export declare const sqlParametersRule: Rule.RuleModule;
