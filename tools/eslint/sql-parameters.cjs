// @ts-check
'use strict';

/**
 * `omni/sql-parameters`: the SQL text of a query is made of constant text and quoted identifiers
 * only; values travel as parameters (`$1`, `$2`, …), never in the text.
 *
 * Checked: the SQL argument of `<anything>.query(sql, …)` (pg's Client and Pool, TypeORM's
 * DataSource, EntityManager and QueryRunner) and of `queryRows(db, sql, …)` (libs/persistence).
 * The argument may be built (template literal, `+`, `cond ? a : b`) only from parts the rule can
 * prove safe:
 * - literal text and numbers, and a `const` of this file initialised with safe parts;
 * - a call to an identifier helper (option `identifierHelpers`, default `quoteIdentifier`), or a
 *   property of what such a helper returns (`readModelTables(schema).users`);
 * - `this.<field>` when the class declares the field `readonly` and assigns it only safe parts;
 * - with type information (typescript-eslint's project service): any expression whose type is a
 *   string literal, a number or a union of them (an imported `const`, `Topics.profileSnapshots`,
 *   a placeholder index `$${i + 1}`), or an object a helper returned (`this.tables.users`).
 *
 * Anything else in the text — a parameter, a `let`, the result of another function
 * (`parts.join(', ')`) — is reported. An argument the rule cannot look into (a parameter, a loop
 * variable, a function's result passed as the whole SQL) is not: the rule checks text built where
 * the query is made, not data flow across functions. A reviewed exception says why no value reaches the text, on the line before the SQL:
 *   // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, $2), ($3, $4), …
 */

/** Method name → index of its SQL argument. */
const MEMBER_CALLS = new Map([['query', 0]]);
/** Function name → index of its SQL argument. */
const FUNCTION_CALLS = new Map([['queryRows', 1]]);
const DEFAULT_IDENTIFIER_HELPERS = ['quoteIdentifier'];

/** @typedef {import('estree').Node} Node */
/** @typedef {import('estree').Expression} Expression */

/** @param {Node} callee */
function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') return callee.property.name;
  return undefined;
}

/**
 * The SQL argument of a call, if the call is one the rule checks.
 * @param {import('estree').CallExpression} call
 * @returns {Node | undefined}
 */
function sqlArgument(call) {
  const { callee } = call;
  const index =
    callee.type === 'MemberExpression'
      ? MEMBER_CALLS.get(calleeName(callee) ?? '')
      : callee.type === 'Identifier'
        ? FUNCTION_CALLS.get(callee.name)
        : undefined;
  if (index === undefined) return undefined;
  const argument = call.arguments[index];
  return argument && argument.type !== 'SpreadElement' ? argument : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const sqlParametersRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'SQL text is constant text and quoted identifiers only: values go in parameters ($1, $2, …)',
    },
    schema: [
      {
        type: 'object',
        properties: { identifierHelpers: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
    ],
    messages: {
      interpolated:
        'SQL text built from `{{part}}`, which is not provably constant: pass values as parameters ($1, $2, …) and identifiers through {{helpers}}. A reviewed exception: `// eslint-disable-next-line omni/sql-parameters -- <why no value reaches the text>`.',
    },
  },

  create(context) {
    const options = /** @type {{ identifierHelpers?: string[] } | undefined} */ (context.options[0]);
    const helpers = new Set(options?.identifierHelpers ?? DEFAULT_IDENTIFIER_HELPERS);
    const sourceCode = context.sourceCode;
    const types = typeInformation(sourceCode, helpers);

    /** @param {Node} node */
    const isHelperCall = (node) => node.type === 'CallExpression' && helpers.has(calleeName(node.callee) ?? '');

    /**
     * The initialiser of the `const` an identifier names, if it is declared in this file.
     * @param {import('estree').Identifier} identifier
     * @returns {Node | undefined}
     */
    const constInitialiser = (identifier) => {
      for (let scope = /** @type {import('eslint').Scope.Scope | null} */ (sourceCode.getScope(identifier)); scope; scope = scope.upper) {
        const variable = scope.set.get(identifier.name);
        if (!variable) continue;
        const [definition] = variable.defs;
        if (variable.defs.length !== 1 || definition.type !== 'Variable' || definition.parent.kind !== 'const') return undefined;
        return definition.node.init ?? undefined;
      }
      return undefined;
    };

    /**
     * Everything written to `this.<name>` in the class around `node`, if the class declares the
     * field `readonly`; undefined when the field is not such a field.
     * @param {Node} node
     * @param {string} name
     * @returns {Node[] | undefined}
     */
    const readonlyFieldWrites = (node, name) => {
      const classBody = sourceCode.getAncestors(node).reverse().find((ancestor) => ancestor.type === 'ClassBody');
      if (!classBody || classBody.type !== 'ClassBody') return undefined;
      const field = classBody.body.find(
        (member) => member.type === 'PropertyDefinition' && !member.computed && member.key.type === 'Identifier' && member.key.name === name,
      );
      if (!field || field.type !== 'PropertyDefinition' || !(/** @type {{ readonly?: boolean }} */ (field).readonly)) return undefined;
      /** @type {Node[]} */
      const writes = field.value ? [field.value] : [];
      walk(classBody, (child) => {
        if (
          child.type === 'AssignmentExpression' &&
          child.left.type === 'MemberExpression' &&
          child.left.object.type === 'ThisExpression' &&
          calleeName(child.left) === name
        ) {
          writes.push(child.right);
        }
      });
      return writes;
    };

    /**
     * The first part of `node` that is not provably constant text or a quoted identifier.
     * @param {Node} node
     * @param {Map<Node, Node | undefined>} known results so far; a node being looked at counts as
     *   unsafe, which ends cycles (`const a = b`, `const b = a`)
     * @returns {Node | undefined}
     */
    const unsafePart = (node, known) => {
      if (known.has(node)) return known.get(node);
      known.set(node, node);
      const part = findUnsafePart(node, known);
      known.set(node, part);
      return part;
    };

    /**
     * @param {Node} node
     * @param {Map<Node, Node | undefined>} seen see unsafePart
     * @returns {Node | undefined}
     */
    const findUnsafePart = (node, seen) => {
      // TypeScript wrappers (`x as 'a'`, `x!`) and `a?.b`: judge what they wrap, not the type a cast claims.
      if ('expression' in node && (node.type.startsWith('TS') || node.type === 'ChainExpression')) {
        return unsafePart(/** @type {Node} */ (node.expression), seen) && node;
      }
      if (types?.isConstantOrNumber(node)) return undefined;
      switch (node.type) {
        case 'Literal':
          return undefined;
        case 'TemplateLiteral':
          for (const expression of node.expressions) {
            const part = unsafePart(expression, seen);
            if (part) return part;
          }
          return undefined;
        case 'BinaryExpression':
          // `+` joins text; any other operator yields a number or a boolean.
          if (node.operator !== '+') return undefined;
          if (node.left.type === 'PrivateIdentifier') return node;
          return unsafePart(node.left, seen) ?? unsafePart(node.right, seen);
        case 'ConditionalExpression':
          return unsafePart(node.consequent, seen) ?? unsafePart(node.alternate, seen);
        case 'Identifier': {
          const initialiser = constInitialiser(node);
          return initialiser ? (unsafePart(initialiser, seen) && node) : node;
        }
        case 'CallExpression':
          return isHelperCall(node) ? undefined : node;
        case 'MemberExpression': {
          if (node.computed) {
            // `tables[name]`: a helper's product, indexed by a constant (a literal-typed key).
            if (node.property.type === 'PrivateIdentifier' || !isHelperProduct(node.object, new Set())) return node;
            return unsafePart(node.property, seen) && node;
          }
          if (node.object.type === 'ThisExpression' && node.property.type === 'Identifier') {
            const writes = readonlyFieldWrites(node, node.property.name);
            return writes && writes.length > 0 && writes.every((write) => !unsafePart(write, seen)) ? undefined : node;
          }
          // A property of what an identifier helper returned (`readModelTables(schema).users`).
          return isHelperProduct(node.object, new Set()) ? undefined : node;
        }
        default:
          return node;
      }
    };

    /**
     * Whether `node` is an object an identifier helper returned: the call itself, a `const` of it,
     * or (with types) any expression of the helper's return type.
     * @param {Node} node
     * @param {Set<Node>} seen
     * @returns {boolean}
     */
    const isHelperProduct = (node, seen) => {
      if (isHelperCall(node)) return true;
      if (types?.isHelperProduct(node)) return true;
      if (node.type !== 'Identifier' || seen.has(node)) return false;
      seen.add(node);
      const initialiser = constInitialiser(node);
      return initialiser !== undefined && isHelperProduct(initialiser, seen);
    };

    /**
     * The unsafe part of the SQL argument, looking only at text built in this file: a template
     * literal, a concatenation, a choice between them, or a `const` holding one. An argument the
     * rule cannot see into (a parameter, a loop variable, a call's result) is not reported.
     * @param {Node} node
     * @param {Set<Node>} followed
     * @returns {Node | undefined}
     */
    const unsafePartOfArgument = (node, followed) => {
      if (followed.has(node)) return undefined;
      followed.add(node);
      switch (node.type) {
        case 'TemplateLiteral':
        case 'BinaryExpression':
          return unsafePart(node, new Map());
        case 'ConditionalExpression':
          return unsafePartOfArgument(node.consequent, followed) ?? unsafePartOfArgument(node.alternate, followed);
        case 'Identifier': {
          const initialiser = constInitialiser(node);
          return initialiser && unsafePartOfArgument(initialiser, followed);
        }
        default:
          if ('expression' in node && (node.type.startsWith('TS') || node.type === 'ChainExpression')) {
            return unsafePartOfArgument(/** @type {Node} */ (node.expression), followed);
          }
          return undefined;
      }
    };

    return {
      CallExpression(call) {
        const argument = sqlArgument(call);
        if (!argument) return;
        const part = unsafePartOfArgument(argument, new Set());
        if (!part) return;
        context.report({
          node: argument,
          messageId: 'interpolated',
          data: {
            part: sourceCode.getText(part).replace(/\s+/g, ' ').slice(0, 80),
            helpers: [...helpers].map((name) => `${name}()`).join(', '),
          },
        });
      },
    };
  },
};

/**
 * Visit every node under `root` (its own children, depth first).
 * @param {Node} root
 * @param {(node: Node) => void} visit
 */
function walk(root, visit) {
  /** @param {unknown} value */
  const visitValue = (value) => {
    if (Array.isArray(value)) value.forEach(visitValue);
    else if (value && typeof value === 'object' && typeof (/** @type {{ type?: unknown }} */ (value).type) === 'string') {
      const node = /** @type {Node} */ (value);
      visit(node);
      for (const [key, child] of Object.entries(node)) if (key !== 'parent') visitValue(child);
    }
  };
  for (const [key, child] of Object.entries(root)) if (key !== 'parent') visitValue(child);
}

/**
 * Type-aware checks, when the file is linted with typescript-eslint's type information.
 * @param {import('eslint').SourceCode} sourceCode
 * @param {Set<string>} helpers
 */
function typeInformation(sourceCode, helpers) {
  const services = /** @type {{ program?: import('typescript').Program | null, esTreeNodeToTSNodeMap?: { get(node: unknown): import('typescript').Node } }} */ (
    sourceCode.parserServices ?? {}
  );
  if (!services.program || !services.esTreeNodeToTSNodeMap) return undefined;
  const ts = /** @type {typeof import('typescript')} */ (require('typescript'));
  const checker = services.program.getTypeChecker();
  const map = services.esTreeNodeToTSNodeMap;
  /** @param {Node} node */
  const typeOf = (node) => checker.getTypeAtLocation(map.get(node));
  /** @param {import('typescript').Type} type */
  const constant = (type) =>
    (type.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLiteral)) !== 0 ||
    (type.isUnion() && type.types.every(constant));
  return {
    /** A string literal type (or a union of them), a number, a boolean literal. @param {Node} node */
    isConstantOrNumber: (node) => constant(typeOf(node)),
    /** The (object) type a helper function returns, wherever the value came from. @param {Node} node */
    isHelperProduct: (node) => {
      const symbol = typeOf(node).getSymbol();
      return (symbol?.declarations ?? []).some((declaration) => {
        for (let at = declaration.parent; at; at = at.parent) {
          if (ts.isFunctionLike(at)) return at.name !== undefined && ts.isIdentifier(at.name) && helpers.has(at.name.text);
        }
        return false;
      });
    },
  };
}

/** The local plugin eslint.config.mjs registers as `omni`. */
const plugin = {
  meta: { name: 'omni' },
  rules: { 'sql-parameters': sqlParametersRule },
};

module.exports = { plugin, sqlParametersRule };
