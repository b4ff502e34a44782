import { useMemo } from "preact/hooks";
import { describeError, type Api } from "../../app/api.js";
import { formatDate, formatDateTime, formatMoney, formatProbability } from "../../app/format.js";
import type { DealScoreDetail, DealScoreItem } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { ChartCard, type ChartPoint } from "../../components/Chart.js";
import { Flyout } from "../../components/Flyout.js";
import { ErrorMessage, Loading } from "../../components/States.js";
import { TrendLabel } from "./DealsTable.js";
import { FactorList } from "./Factors.js";

// One scored deal (GET /api/deal-scores/{dealId}): its score, grade and trend, the score's history as a chart
// (one point a day under the model that scores it) and every factor with the insight behind it.

const score = (n: number) => String(Math.round(n));

export function DealFlyout({ api, deal, onClose }: { api: Api; deal: DealScoreItem; onClose: () => void }) {
  const detail = useApiGet<DealScoreDetail>(api, `/api/deal-scores/${encodeURIComponent(deal.dealId)}`);
  const subtitle = [deal.dealId, deal.stage, deal.owner, deal.product].filter(Boolean).join(" · ");
  return (
    <Flyout title={deal.name ?? deal.dealId} subtitle={subtitle} onClose={onClose}>
      {detail.error !== undefined ? (
        <ErrorMessage message={`This deal could not be loaded: ${describeError(detail.error)}`} onRetry={detail.reload} />
      ) : !detail.data ? (
        <Loading label="Loading the deal's history and factors…" />
      ) : (
        <DealDetail deal={detail.data} />
      )}
    </Flyout>
  );
}

function DealDetail({ deal }: { deal: DealScoreDetail }) {
  const history = useMemo<ChartPoint[]>(() => deal.history.map((p) => ({ label: p.at.slice(0, 10), value: p.score })), [deal.history]);
  const positive = deal.factors.filter((f) => f.direction === "raises");
  const negative = deal.factors.filter((f) => f.direction === "lowers");
  return (
    <>
      <ul class="tiles compact" aria-label="Score">
        <li class="tile">
          <span class="tile-label">Score</span>
          <span class="tile-value">{deal.score}</span>
          <span class="tile-hint">{formatProbability(deal.probability)} chance of winning</span>
        </li>
        <li class="tile">
          <span class="tile-label">Grade</span>
          <span class="tile-value">
            <span class={`grade grade-${deal.grade}`}>{deal.grade}</span>
          </span>
        </li>
        <li class="tile">
          <span class="tile-label">Trend</span>
          <span class="tile-value small">
            <TrendLabel trend={deal.trend} previous={deal.previousScore} />
          </span>
        </li>
        <li class="tile">
          <span class="tile-label">Estimated value</span>
          <span class="tile-value small">{deal.estimatedValue === undefined ? "–" : formatMoney(deal.estimatedValue)}</span>
          <span class="tile-hint">closes {formatDate(deal.estimatedCloseDate)}</span>
        </li>
      </ul>
      <ChartCard
        title="Score history"
        kind="line"
        points={history}
        format={score}
        labelOf={formatDate}
        range={{ min: 0, max: 100 }}
        hint={
          history.length < 2
            ? "One point so far: the chart grows by a point a day while the deal is scored. The trend needs a score at least 7 days old."
            : "One point a day (the day's latest score), under the model that scores the deal."
        }
      />
      <p class="quiet">
        Scored {formatDateTime(deal.scoredAt)} by {deal.modelName} (version {deal.modelVersion}). Created {formatDate(deal.createdOn)}.
      </p>
      <FactorList title="What raises the score" factors={positive} />
      <FactorList title="What lowers the score" factors={negative} />
    </>
  );
}
