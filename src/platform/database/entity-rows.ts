import { Repository } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ApplyValueTransformers } from 'typeorm/util/ApplyValueTransformers';

/**
 * Plain SQL that returns rows shaped as an entity: on hot paths TypeORM's query building
 * and hydration cost more CPU than PostgreSQL spends on the query (docs/benchmarks.md).
 * `columns` is the select list (`<alias>."<column>" AS "<property>"`, what getMany()
 * would select) and `hydrate` applies column transformers as hydration would.
 */
export class EntityRows<T extends object> {
  readonly columns: string;
  private readonly transformed: ColumnMetadata[];

  constructor(repository: Repository<T>, alias: string) {
    const columns = repository.metadata.columns.filter((c) => c.isSelect && !c.isVirtual && !c.relationMetadata && !c.embeddedMetadata);
    this.columns = columns.map((c) => `${alias}."${c.databaseName}" AS "${c.propertyName}"`).join(', ');
    this.transformed = columns.filter((c) => c.transformer);
  }

  hydrate(row: T): T {
    for (const column of this.transformed) {
      const record = row as Record<string, unknown>;
      record[column.propertyName] = ApplyValueTransformers.transformFrom(column.transformer!, record[column.propertyName]);
    }
    return row;
  }
}
