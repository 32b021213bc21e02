import { DataSource } from 'typeorm';
import { DEFAULT_DATABASE_URL } from './src/platform/config/config';
import { dataSourceOptions } from './src/platform/database/data-source-options';

// The TypeORM CLI's data source (npm run migration:*). The app builds the same one.
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL || DEFAULT_DATABASE_URL));
