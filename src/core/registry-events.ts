/**
 * What happened in the registry, as the registry tells whoever listens (webhooks) once a write
 * has committed. Publishing never blocks the write and never fails it: a listener queues the
 * event and does its work later.
 *
 * The entity and action names and each payload's fields are those of MLflow's webhook events
 * (`model_version.created`, …), so a listener can hand the payload on as it is. A field left out is
 * delivered as MLflow's server sends it (null; a model's or prompt's description as ''); `source`
 * is the source as the version stored it; a prompt's tags are its own, without the tags that mark
 * it as a prompt, and a prompt version's text is its `template` (the listener drops those tags too).
 */
export type RegistryEvent =
  | { entity: 'registered_model'; action: 'created'; payload: { name: string; tags: Record<string, string>; description?: string } }
  | { entity: 'model_version'; action: 'created'; payload: { name: string; version: string; source: string; run_id?: string; tags: Record<string, string>; description?: string } }
  | { entity: 'model_version_tag'; action: 'set'; payload: { name: string; version: string; key: string; value: string } }
  | { entity: 'model_version_tag'; action: 'deleted'; payload: { name: string; version: string; key: string } }
  | { entity: 'model_version_alias'; action: 'created'; payload: { name: string; alias: string; version: string } }
  | { entity: 'model_version_alias'; action: 'deleted'; payload: { name: string; alias: string } }
  | { entity: 'prompt'; action: 'created'; payload: { name: string; tags: Record<string, string>; description?: string } }
  | { entity: 'prompt_version'; action: 'created'; payload: { name: string; version: string; template: string; tags: Record<string, string>; description?: string } }
  | { entity: 'prompt_tag'; action: 'set'; payload: { name: string; key: string; value: string } }
  | { entity: 'prompt_tag'; action: 'deleted'; payload: { name: string; key: string } }
  | { entity: 'prompt_version_tag'; action: 'set'; payload: { name: string; version: string; key: string; value: string } }
  | { entity: 'prompt_version_tag'; action: 'deleted'; payload: { name: string; version: string; key: string } }
  | { entity: 'prompt_alias'; action: 'created'; payload: { name: string; alias: string; version: string } }
  | { entity: 'prompt_alias'; action: 'deleted'; payload: { name: string; alias: string } };

export interface RegistryEvents {
  /** Called after the write that caused the event committed; returns at once and never throws. */
  publish(event: RegistryEvent): void;
}

/** For a registry nobody listens to. */
export const NO_LISTENER: RegistryEvents = { publish() {} };
