/** Small helpers the OpenAPI importer's files share: the JSON object type and text clipping. */

/** A JSON object as read from an OpenAPI document. */
export type Json = Record<string, unknown>

/** Whether a value is a JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Longest description kept on a definition or action. */
export const MAX_DESCRIPTION = 1_000

/** Trims `s` and cuts it to `max` characters, ending with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  const t = s.trim()
  return t.length > max ? `${t.slice(0, max - 1)}…` : t
}

/** The first paragraph of a Markdown text, clipped to 500 characters. */
export function firstParagraph(s: string): string {
  return clip(s.split(/\n\s*\n/)[0] ?? '', 500)
}
