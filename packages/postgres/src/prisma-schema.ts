/**
 * A small reader for the parts of schema.prisma that the database must match: models and
 * their columns, keys, indexes, relations and enums. It exists because the Prisma CLI's
 * schema engine cannot run on every machine, and the migrated database is checked against
 * the schema in tests (prisma-schema.test.ts).
 */
export interface PrismaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
}

export interface PrismaRelation {
  fields: string[];
  references: string[];
  model: string;
  onDelete: string | undefined;
}

export interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaField[];
  relations: PrismaRelation[];
  primaryKey: string[];
  uniques: string[][];
  indexes: string[][];
}

export interface PrismaSchema {
  models: PrismaModel[];
  enums: Map<string, string[]>;
}

const list = (inner: string) =>
  inner
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function blocks(source: string, keyword: string): Array<{ name: string; body: string[] }> {
  const result: Array<{ name: string; body: string[] }> = [];
  const re = new RegExp(`^${keyword}\\s+(\\w+)\\s*\\{([\\s\\S]*?)^\\}`, 'gm');
  for (const match of source.matchAll(re)) {
    const body = (match[2] ?? '')
      .split('\n')
      .map((line) => line.replace(/\/\/.*$/, '').trim())
      .filter(Boolean);
    result.push({ name: match[1] ?? '', body });
  }
  return result;
}

export function parsePrismaSchema(source: string): PrismaSchema {
  const enums = new Map(
    blocks(source, 'enum').map((b) => [b.name, b.body.filter((l) => !l.startsWith('@@'))]),
  );
  const modelNames = new Set(blocks(source, 'model').map((b) => b.name));
  const models = blocks(source, 'model').map(({ name, body }): PrismaModel => {
    const model: PrismaModel = {
      name,
      table: name,
      fields: [],
      relations: [],
      primaryKey: [],
      uniques: [],
      indexes: [],
    };
    const columnOf = new Map<string, string>();
    const pending: Array<{ kind: 'id' | 'unique' | 'index'; fields: string[] }> = [];
    for (const line of body) {
      if (line.startsWith('@@')) {
        const block = /^@@(\w+)\(\s*(?:\[([^\]]*)\]|"([^"]*)")/.exec(line);
        if (!block) continue;
        const [, kind, fields, mapped] = block;
        if (kind === 'map' && mapped) model.table = mapped;
        if ((kind === 'id' || kind === 'unique' || kind === 'index') && fields)
          pending.push({ kind, fields: list(fields) });
        continue;
      }
      const fieldMatch = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!fieldMatch) continue;
      const [, fieldName = '', type = '', isList, isOptional, attributes = ''] = fieldMatch;
      if (modelNames.has(type)) {
        const relation = /@relation\(([^)]*)\)/.exec(attributes);
        const fields = relation && /fields:\s*\[([^\]]*)\]/.exec(relation[1] ?? '');
        const references = relation && /references:\s*\[([^\]]*)\]/.exec(relation[1] ?? '');
        if (fields && references) {
          model.relations.push({
            fields: list(fields[1] ?? ''),
            references: list(references[1] ?? ''),
            model: type,
            onDelete: /onDelete:\s*(\w+)/.exec(relation?.[1] ?? '')?.[1],
          });
        }
        continue;
      }
      const column = /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? fieldName;
      columnOf.set(fieldName, column);
      model.fields.push({
        name: fieldName,
        column,
        type,
        optional: Boolean(isOptional),
        list: Boolean(isList),
        attributes,
      });
      if (/@id\b/.test(attributes)) model.primaryKey = [column];
      if (/@unique\b/.test(attributes)) model.uniques.push([column]);
    }
    const columns = (fields: string[]) => fields.map((f) => columnOf.get(f) ?? f);
    for (const p of pending) {
      if (p.kind === 'id') model.primaryKey = columns(p.fields);
      if (p.kind === 'unique') model.uniques.push(columns(p.fields));
      if (p.kind === 'index') model.indexes.push(columns(p.fields));
    }
    model.relations = model.relations.map((r) => ({ ...r, fields: columns(r.fields) }));
    return model;
  });
  // Relations name the referenced model's fields; turn them into its columns.
  for (const model of models) {
    for (const relation of model.relations) {
      const target = models.find((m) => m.name === relation.model);
      relation.references = relation.references.map(
        (f) => target?.fields.find((x) => x.name === f)?.column ?? f,
      );
    }
  }
  return { models, enums };
}

/** The Postgres type Prisma creates for a scalar field, as information_schema names it. */
export function expectedColumnType(field: PrismaField, enums: ReadonlyMap<string, string[]>): string {
  if (field.list) return 'ARRAY';
  if (enums.has(field.type)) return 'USER-DEFINED';
  const db = /@db\.(\w+)/.exec(field.attributes)?.[1];
  switch (field.type) {
    case 'String':
      return 'text';
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'Float':
      return 'double precision';
    case 'Json':
      return 'jsonb';
    case 'DateTime':
      return db === 'Timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone';
    default:
      throw new Error(`prisma-schema: no mapping for field type ${field.type}`);
  }
}
