/**
 * Who is calling, and what the server offers: `Viewer` (what `wandb login` checks: a null
 * viewer or an error fails it), `GetDefaultEntity` (wandb.Api()), `ServerFeaturesQuery` (no
 * feature is advertised, which keeps clients on their plainest paths: no gzip, plain console
 * lines) and `OrganizationCoreWeaveOrganizationID` (no organization).
 */
import type { GraphqlArea } from './area';
import { storageId } from '../mapping';
import type { WandbContext } from '../context';

export const VIEWER_SDL = /* GraphQL */ `
extend type Query {
  viewer: User
  serverInfo: ServerInfo
}

type User {
  id: ID
  name: String
  username: String
  email: String
  # The user's own entity.
  entity: String
  flags: JSONString
  admin: Boolean
  teams: TeamConnection
}

type TeamConnection { edges: [TeamEdge] }
type TeamEdge { node: Entity }

type ServerInfo { features: [ServerFeature] }
type ServerFeature { name: String isEnabled: Boolean }

type Organization {
  id: ID
  name: String
  coreWeaveOrganizationId: String
}

extend type Entity { organization: Organization }
`;

/** A user as resolvers pass it. */
export interface UserSource { userName: string; entity: string }

/** A run's user: each user owns the entity of its own name. */
export const userNamed = (userName: string): UserSource => ({ userName, entity: userName });

export const viewerArea: GraphqlArea = {
  name: 'viewer',
  sdl: VIEWER_SDL,
  operations: ['Viewer', 'GetDefaultEntity', 'ServerFeaturesQuery', 'OrganizationCoreWeaveOrganizationID'],
  resolvers: {
    Query: {
      viewer: (_: unknown, __: unknown, ctx: WandbContext): UserSource => ({ userName: ctx.account.userName, entity: ctx.account.entity }),
      serverInfo: () => ({ features: [] }),
    },
    User: {
      id: (u: UserSource) => storageId('User', u.userName),
      name: (u: UserSource) => u.userName,
      username: (u: UserSource) => u.userName,
      // Accounts hold no address; the client only echoes it back in a header.
      email: () => null,
      entity: (u: UserSource) => u.entity,
      flags: () => '{}',
      admin: () => false,
      teams: () => ({ edges: [] }),
    },
    Entity: {
      organization: () => null,
    },
  },
};
