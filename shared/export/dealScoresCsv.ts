import type { DealScoreListItem } from "../api/dealScoring.js";
import type { CsvColumn } from "./csv.js";

// The scored deals export: one line per deal, its score, grade and trend, and its top factors in words
// (joined with "|"), written by the same Excel-safe CSV code as every export (csv.ts).

export interface DealScoreExportRow {
  dealId: string;
  name?: string;
  score: number;
  grade: string;
  trend: string;
  previousScore?: number;
  stage?: string;
  owner?: string;
  product?: string;
  tenantId?: string;
  estimatedValue?: number;
  estimatedCloseDate?: string;
  createdOn: string;
  modelName: string;
  modelVersion: number;
  topPositive: string[];
  topNegative: string[];
  scoredAt: string;
}

export const dealScoresCsvColumns: CsvColumn<DealScoreExportRow>[] = [
  { key: "dealId", header: "Deal ID" },
  { key: "name", header: "Name" },
  { key: "score", header: "Score" },
  { key: "grade", header: "Grade" },
  { key: "trend", header: "Trend" },
  { key: "previousScore", header: "Score a week earlier" },
  { key: "stage", header: "Stage" },
  { key: "owner", header: "Owner" },
  { key: "product", header: "Product" },
  { key: "tenantId", header: "Tenant ID" },
  { key: "estimatedValue", header: "Estimated Value" },
  { key: "estimatedCloseDate", header: "Estimated Close Date" },
  { key: "createdOn", header: "Created On" },
  { key: "modelName", header: "Model" },
  { key: "modelVersion", header: "Model Version" },
  { key: "topPositive", header: "Top Positive Factors" },
  { key: "topNegative", header: "Top Negative Factors" },
  { key: "scoredAt", header: "Scored At" },
];

export function toExportRow(item: DealScoreListItem): DealScoreExportRow {
  const day = (iso: string | undefined) => iso?.slice(0, 10);
  return {
    dealId: item.dealId,
    name: item.name,
    score: item.score,
    grade: item.grade,
    trend: item.trend,
    previousScore: item.previousScore,
    stage: item.stage,
    owner: item.owner,
    product: item.product,
    tenantId: item.tenantId,
    estimatedValue: item.estimatedValue,
    estimatedCloseDate: day(item.estimatedCloseDate),
    createdOn: day(item.createdOn)!,
    modelName: item.modelName,
    modelVersion: item.modelVersion,
    topPositive: item.topPositive.map((f) => f.text),
    topNegative: item.topNegative.map((f) => f.text),
    scoredAt: item.scoredAt,
  };
}
