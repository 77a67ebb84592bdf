/** Loads the MLflow .proto files once: the route table, request decoding and response shaping all come from them. */
import path from 'node:path';
import protobuf from 'protobufjs';

import { packageRoot } from '../../paths';

const LIB_ROOT = path.dirname(require.resolve('protobufjs/package.json'));

let root: protobuf.Root | undefined;

export function mlflowSchema(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => (target.startsWith('google/') ? path.join(LIB_ROOT, target) : path.join(packageRoot(), 'proto', target));
  r.loadSync(['mlflow/service.proto', 'mlflow/model_registry.proto', 'mlflow/webhooks.proto'], { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

export interface RouteSpec {
  rpc: string;
  verb: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  since: number;
  ajaxOnly: boolean;
  request: protobuf.Type;
  response: protobuf.Type;
}

/** Every route of a service, as declared by its methods' (trackbridge.route) options. */
export function routesOf(serviceName: string): RouteSpec[] {
  const service = mlflowSchema().lookupService(serviceName);
  const out: RouteSpec[] = [];
  for (const m of Object.values(service.methods)) {
    const opts = (m.parsedOptions ?? []) as Array<Record<string, unknown>>;
    const get = (name: string) => opts.filter((o) => name in o).map((o) => o[name]);
    const since = Number(get('(trackbridge.since)')[0] ?? 2);
    const ajaxOnly = get('(trackbridge.ajax_only)')[0] === true;
    m.resolve();
    for (const route of get('(trackbridge.route)') as string[]) {
      const [verb, p] = route.split(' ');
      out.push({
        rpc: m.name, verb: verb.toLowerCase() as RouteSpec['verb'], path: p, since, ajaxOnly,
        request: m.resolvedRequestType!, response: m.resolvedResponseType!,
      });
    }
  }
  return out;
}
