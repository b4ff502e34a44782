import { describeError, type Api } from "../../app/api.js";
import { formatInteger, formatMoney } from "../../app/format.js";
import type { PropensityCustomer, PropensityRow } from "../../app/types.js";
import { useApiGet } from "../../app/useApiGet.js";
import { Flyout } from "../../components/Flyout.js";
import { ErrorMessage, Loading } from "../../components/States.js";
import { cellInWords } from "./query.js";

// One customer or prospect: its scores, why (fit's top factors, intent's strongest signals), its propensities and
// its agreements, from GET /api/propensity/{tenantId}.

const basisWords = {
  model: "Learned from your best customers",
  fallback: "Profile match (too few customers to learn from yet)",
  none: "Fit cannot be learned: scored by intent only",
} as const;

export function CustomerFlyout({ api, row, onClose }: { api: Api; row: PropensityRow; onClose: () => void }) {
  const detail = useApiGet<PropensityCustomer>(api, `/api/propensity/${encodeURIComponent(row.tenantId)}`);
  const subtitle = [row.customerType, row.subsegment, row.industry, row.countryRegion, row.domain].filter(Boolean).join(" · ");
  return (
    <Flyout title={row.tenantName} subtitle={subtitle} onClose={onClose}>
      {detail.error !== undefined ? (
        <ErrorMessage message={`This customer could not be loaded: ${describeError(detail.error)}`} onRetry={detail.reload} />
      ) : !detail.data ? (
        <Loading label="Loading the explanations…" />
      ) : (
        <CustomerDetail customer={detail.data} />
      )}
    </Flyout>
  );
}

function CustomerDetail({ customer }: { customer: PropensityCustomer }) {
  const { explanation } = customer;
  return (
    <>
      <ul class="tiles compact" aria-label="Scores">
        <li class="tile">
          <span class="tile-label">Fit</span>
          <span class="tile-value">{customer.fit ?? "–"}</span>
          <span class="tile-hint">{customer.fitBand ?? "not learned"}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Intent</span>
          <span class="tile-value">{customer.intent}</span>
          <span class="tile-hint">{customer.intentBand}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Cell</span>
          <span class="tile-value">{customer.cell ?? "–"}</span>
          <span class="tile-hint">{customer.cell ? cellInWords(customer.cell) : "no cell without fit"}</span>
        </li>
        <li class="tile">
          <span class="tile-label">Cluster</span>
          <span class="tile-value small">{explanation.cluster?.cluster ?? "–"}</span>
          <span class="tile-hint">{explanation.cluster?.purpose ?? ""}</span>
        </li>
      </ul>

      <section aria-labelledby="why-fit">
        <h3 id="why-fit">Why this fit</h3>
        <p class="quiet">
          {explanation.fit.message ?? `${basisWords[explanation.fit.basis]}.`}
        </p>
        {explanation.fit.factors.length > 0 ? (
          <ul class="factor-list">
            {explanation.fit.factors.map((factor) => (
              <li key={factor} class={/lowers/.test(factor) ? "lowers" : "raises"}>
                {factor}
              </li>
            ))}
          </ul>
        ) : (
          <p>No firmographic moved this tenant's fit.</p>
        )}
      </section>

      <section aria-labelledby="why-intent">
        <h3 id="why-intent">Why this intent</h3>
        <p class="quiet">
          {formatInteger(explanation.intent.signalsCounted)} {explanation.intent.signalsCounted === 1 ? "signal" : "signals"} counted
          {explanation.intent.halfLifeDays ? `, each worth half as much every ${explanation.intent.halfLifeDays} days` : ""}.
        </p>
        {explanation.intent.strongestSignals.length > 0 ? (
          <ul class="factor-list">
            {explanation.intent.strongestSignals.map((signal) => (
              <li key={signal.text} class="raises">
                {signal.text}
              </li>
            ))}
          </ul>
        ) : (
          <p>No buying signal in the last months.</p>
        )}
      </section>

      <section aria-labelledby="propensities-title">
        <h3 id="propensities-title">Propensities</h3>
        {customer.products.length === 0 ? (
          <p>No product propensity.</p>
        ) : (
          <ul class="propensity-list" aria-label="Propensities of this customer">
            {customer.products.map((p) => (
              <li key={`${p.family}:${p.product}:${p.installedProduct ?? ""}`}>
                <p class="propensity-head">
                  <strong>{p.product}</strong>
                  {p.sku && <span class="quiet"> ({p.sku})</span>} · {p.family}
                </p>
                <p class="quiet">
                  {[
                    p.seats === undefined ? undefined : `${formatInteger(p.seats)} seats`,
                    p.listPrice === undefined ? undefined : `${formatMoney(p.listPrice)} a seat a month`,
                    p.estimatedAnnualRevenue === undefined ? "no list price, no estimate" : `about ${formatMoney(p.estimatedAnnualRevenue)} a year`,
                  ]
                    .filter(Boolean)
                    .join(" · ")}
                </p>
                <p>{p.reason}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="agreements-title">
        <h3 id="agreements-title">Agreements this fiscal year</h3>
        <p>
          {formatInteger(customer.expiringAgreements)} expiring, {formatInteger(customer.renewedAgreements)} renewed, {formatInteger(customer.openExpiringAgreements)} open
          {customer.openExpiringRevenue > 0 ? ` (${formatMoney(customer.openExpiringRevenue)} a year at list price)` : ""}.
        </p>
      </section>
    </>
  );
}
