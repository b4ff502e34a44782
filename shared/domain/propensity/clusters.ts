import { z } from "zod";
import { cells, fitLetters, type Cell } from "./bands.js";

// Cells of the 4×4 matrix group into CloudAscent's four clusters (seed 003). The mapping is set per partner
// by an administrator; the default maps each fit row to one cluster (A Act now, B Evaluate, C Nurture,
// D Educate), so A1–A4 form Act now as in the seed's example.

export const clusters = ["Act now", "Evaluate", "Nurture", "Educate"] as const;
export const clusterSchema = z.enum(clusters);
export type Cluster = z.infer<typeof clusterSchema>;

/** What each cluster is for (seed 003). */
export const clusterPurpose: Readonly<Record<Cluster, string>> = {
  "Act now": "Sales-ready customers",
  Evaluate: "Marketing-ready customers",
  Nurture: "Drive awareness campaigns",
  Educate: "Educate and monitor for intent",
};

export type ClusterMapping = Record<Cell, Cluster>;

const rowCluster: Record<(typeof fitLetters)[number], Cluster> = { A: "Act now", B: "Evaluate", C: "Nurture", D: "Educate" };

export const defaultClusterMapping: Readonly<ClusterMapping> = Object.freeze(
  Object.fromEntries(cells.map((cell) => [cell, rowCluster[cell[0] as keyof typeof rowCluster]])) as ClusterMapping,
);

function cellClusterSchema(cell: Cell) {
  return z.enum(clusters, {
    error: (issue) =>
      issue.input === undefined
        ? `cell ${cell} is not mapped to a cluster (every cell A1–D4 needs one of ${clusters.join(", ")})`
        : `cell ${cell}: ${JSON.stringify(issue.input)} is not a cluster (use one of ${clusters.join(", ")})`,
  });
}

/** A complete mapping: every one of the 16 cells to one of the four clusters, and nothing else. */
export const clusterMappingSchema = z.strictObject(
  Object.fromEntries(cells.map((cell) => [cell, cellClusterSchema(cell)])) as Record<Cell, ReturnType<typeof cellClusterSchema>>,
);

/** A mapping that cannot be used; `cell` names the cell (or the key that is not a cell). */
export class ClusterMappingError extends Error {
  readonly code = "invalid_cluster_mapping";
  constructor(
    readonly cell: string,
    message: string,
  ) {
    super(message);
    this.name = "ClusterMappingError";
  }
}

/** Validates an administrator's mapping; the first problem is thrown as a ClusterMappingError naming its cell. */
export function parseClusterMapping(input: unknown): ClusterMapping {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ClusterMappingError("", "a cluster mapping is an object from each cell (A1–D4) to a cluster");
  }
  const parsed = clusterMappingSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    throw new ClusterMappingError(key, `${JSON.stringify(key)} is not a cell of the matrix (cells are A1–D4)`);
  }
  throw new ClusterMappingError(String(issue.path[0]), issue.message);
}

/** The cluster of a cell under a mapping (the default when none is given). */
export function clusterOf(cell: Cell, mapping: Readonly<ClusterMapping> = defaultClusterMapping): Cluster {
  return mapping[cell];
}
