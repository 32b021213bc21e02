import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OidcKeys } from './oidc-keys.entity';

@Injectable()
export class OidcKeysRepository {
  constructor(@InjectRepository(OidcKeys) private readonly keys: Repository<OidcKeys>) {}

  find(workspaceId: string): Promise<OidcKeys | null> {
    return this.keys.findOneBy({ workspaceId });
  }

  /** Inserts unless another replica got there first; the caller reads back the winner. */
  async insertIfMissing(keys: Pick<OidcKeys, 'workspaceId' | 'jwks' | 'cookieKeys'>): Promise<void> {
    await this.keys.createQueryBuilder().insert().values(keys).orIgnore().execute();
  }
}
