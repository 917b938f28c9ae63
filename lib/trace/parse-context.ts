import type { FieldMap } from "./field-map";
import type { WarningCollector } from "./warnings";

/** The model shape a trace is checked against. */
export interface TraceModel {
  layers: number;
  experts: number;
  topK: number;
  renormalize: boolean;
  /** The run's model name, to compare with a log's metadata. */
  name?: string;
}

/** Strings (labels, string sequence ids) numbered in order of first appearance within an upload. */
export class Dictionary {
  readonly names: string[] = [];
  private index = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly what: string,
  ) {}

  /** The id of `name`, or -1 when the dictionary is full. */
  id(name: string): number {
    let id = this.index.get(name);
    if (id === undefined) {
      if (this.names.length >= this.limit) return -1;
      id = this.names.length;
      this.names.push(name);
      this.index.set(name, id);
    }
    return id;
  }
}

export interface ParseContext {
  model: TraceModel;
  fields: FieldMap;
  labels: Dictionary;
  /** Label given for the whole upload (query `label`); per-event labels take precedence. */
  defaultLabel: number;
  warnings: WarningCollector;
  /** Events per yielded batch. */
  batchSize: number;
  /** Token strings the trace carries, by token id (first seen wins); filled by parsers that read them. */
  tokenStrings?: Map<number, string>;
}
