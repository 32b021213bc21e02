import { Foundation1764230400000 } from './1764230400000-foundation';
import { SignIn1764316800000 } from './1764316800000-sign-in';
import { MailAndSelfService1764403200000 } from './1764403200000-mail-and-self-service';
import { Imports1764489600000 } from './1764489600000-imports';
import { UsersWorkspaceIdIndex1764576000000 } from './1764576000000-users-workspace-id-index';
import { ImportRunsFromCheckpoint1764662400000 } from './1764662400000-import-runs-from-checkpoint';
import { UserTokenEmail1764748800000 } from './1764748800000-user-token-email';
import { UsersFoldedSearchKeys1764835200000 } from './1764835200000-users-folded-search-keys';
import { ApplicationTokenSigningAlg1764921600000 } from './1764921600000-application-token-signing-alg';
import { PreviousLinkTokens1765008000000 } from './1765008000000-previous-link-tokens';

/** Every migration, in order. New ones are appended here so the app and the CLI agree. */
export const migrations = [Foundation1764230400000, SignIn1764316800000, MailAndSelfService1764403200000, Imports1764489600000, UsersWorkspaceIdIndex1764576000000, ImportRunsFromCheckpoint1764662400000, UserTokenEmail1764748800000, UsersFoldedSearchKeys1764835200000, ApplicationTokenSigningAlg1764921600000, PreviousLinkTokens1765008000000];
