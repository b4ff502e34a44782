// `npm run bench:export`: the Cloud Endpoints export of 20,000 tenants (every column) as CSV and as an Excel
// workbook, each in its own child process so each reports its own peak memory. Pages of 5,000 rows arrive as the
// export route reads them; the file goes to a sink that counts bytes. Prints one JSON object.

import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { salesMotions, type CloudEndpointsRow } from "../shared/domain/cloudEndpoints/index.js";
import { cloudEndpointsCsvColumns, csvFile, toByteStream } from "../shared/export/csv.js";
import type { ExportFormat } from "../shared/export/format.js";
import { xlsxFile } from "../shared/export/xlsx.js";

const rowsWanted = Number(process.env.EXPORT_BENCH_ROWS ?? 20_000);
const pageSize = 5_000;
/** What one export may add to an instance's memory (Flex Consumption instances have 2,048 MB). */
const addedMemoryBudgetMb = 256;

function tenantRow(i: number): CloudEndpointsRow {
  const eligible = 150 + ((i * 37) % 4000);
  const pau = (i * 13) % 300;
  return {
    tenantId: `${String(i).padStart(8, "0")}-0000-4000-8000-${String(i).padStart(12, "0")}`,
    tenantName: `Tenant ${i} Holdings`,
    tenantDomain: `tenant${i}.example.com`,
    tenantCountryRegion: ["US", "GB", "DE", "FR", "NL"][i % 5],
    tenantSegment: ["Enterprise", "SME&C", "SMB"][i % 3],
    tpid: String(100_000_000 + i),
    customerName: `Customer ${i}`,
    eaRenewal: `2026-${String((i % 12) + 1).padStart(2, "0")}`,
    largestSeatCspRenewal: `2027-${String(((i + 5) % 12) + 1).padStart(2, "0")}`,
    renewalPeriod: `2026-${String((i % 12) + 1).padStart(2, "0")}`,
    w365EligibleSeats: eligible,
    w365Whitespace: Math.max(0, eligible - pau),
    salesMotion: salesMotions[i % salesMotions.length],
    w365Pau: pau,
    w365Mau: Math.floor(pau * 0.7),
    w365Utilization: pau ? 0.7 : 0,
    intuneMau: (i * 7) % 900,
    intuneUtilization: ((i * 7) % 100) / 100,
    entraIdMau: (i * 11) % 2000,
    entraIdUtilization: ((i * 11) % 100) / 100,
    mciEligibility: i % 2 ? ["Windows365", "Intune"] : [],
    incentiveEligible: i % 2 === 1,
    intuneCporEligibility: i % 3 === 0,
    w365CporEligibility: i % 4 === 0,
    potentialEarnings: (i % 7) * 1500,
    partnerName: "Contoso Cloud Partners",
    partnerCenterId: "1234567",
    cporAssociation: true,
    cspAssociation: i % 2 === 0,
    cspTier: i % 2 ? "Tier1" : "Tier2",
    t2ResellerName: i % 2 ? undefined : "Reseller Ltd",
    customerSubSegment: "Medium",
    industry: "Retail",
    me5Seats: eligible / 2,
    me3Seats: eligible / 4,
    f3Seats: eligible / 4,
    windowsPau: eligible,
    microsoft365Licenses: eligible + 50,
  };
}

async function* pages(): AsyncGenerator<CloudEndpointsRow[]> {
  for (let start = 0; start < rowsWanted; start += pageSize) {
    // A page of a query takes a moment on the store; the writer must not hold earlier pages meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    yield Array.from({ length: Math.min(pageSize, rowsWanted - start) }, (_, k) => tenantRow(start + k));
  }
}

async function child(format: ExportFormat): Promise<void> {
  const columns = cloudEndpointsCsvColumns("all");
  const rssBeforeMb = process.memoryUsage().rss / 1e6;
  const started = performance.now();
  let firstByteMs: number | undefined;
  let bytes = 0;
  const body = format === "xlsx" ? xlsxFile(pages(), columns, { sheetName: "Cloud Endpoints" }) : toByteStream(csvFile(pages(), columns));
  await pipeline(
    Readable.fromWeb(body),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        firstByteMs ??= performance.now() - started;
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ format, rows: rowsWanted, columns: columns.length, seconds: round(seconds), firstByteMs: Math.round(firstByteMs ?? 0), megabytes: round(bytes / 1e6), rssBeforeMb: Math.round(rssBeforeMb), peakRssMb: Math.round(peakRssMb), addedMb: Math.round(peakRssMb - rssBeforeMb) })}\n`,
  );
}

const round = (n: number) => Math.round(n * 100) / 100;

function main(): void {
  const results = (["csv", "xlsx"] as const).map((format) => {
    const run = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", format], { encoding: "utf8", env: process.env });
    if (run.status !== 0) throw new Error(`${format} export bench failed: ${run.stderr}`);
    return JSON.parse(run.stdout.trim().split("\n").pop()!) as { format: string; addedMb: number };
  });
  const xlsx = results.find((r) => r.format === "xlsx")!;
  console.log(JSON.stringify({ bench: "export formats (Cloud Endpoints, every column)", results, budget: { addedMb: addedMemoryBudgetMb, xlsxWithin: xlsx.addedMb <= addedMemoryBudgetMb } }, null, 2));
}

const childFormat = process.argv[2] === "--child" ? (process.argv[3] as ExportFormat) : undefined;
if (childFormat) await child(childFormat);
else main();
