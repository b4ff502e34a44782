import { customerPageLink, customerRowQuery, opportunitiesRowQuery, opportunityCsvFields } from "../shared/api/opportunities.js";
import { dismissedSince, readCustomerData } from "../shared/api/opportunityReads.js";
import { registerRoute, type RouteHandler } from "../shared/api/register.js";
import { routes } from "../shared/api/routes.js";
import { exportTabRows, notRefreshedMessage, readPartnerForStatus, readTabPage, readTabSummary, statusFields, tabListAnswer } from "../shared/api/tabReads.js";
import {
  customerSubscriptions,
  customerUsage,
  feedbackCounts,
  summarizeOpportunities,
  type FeedbackRecord,
} from "../shared/domain/opportunities/index.js";
import { fromOpportunityRow, opportunitiesSummaryDocSchema } from "../shared/domain/opportunities/stored.js";
import { resultIds } from "../shared/domain/results.js";
import { NotFoundError } from "../shared/errors.js";
import { created, ok } from "../shared/http.js";
import type { ApiDeps } from "../shared/wiring.js";

// Opportunities tab (Sales Advisor): list, tiles, export, a customer's detail, feedback, the models. Reads only the
// caller's partition. Feedback given after the current result set was computed is applied as rows are read
// (shared/api/opportunityReads.ts), so a dismissed opportunity is gone from the next list, not the next refresh.

const exportPageSize = 5_000;
const feedbackDeps = (deps: ApiDeps) => ({ results: deps.results, feedback: deps.opportunities.feedback });
export const listOpportunities = (deps: ApiDeps): RouteHandler<typeof routes.listOpportunities> =>
  async ({ caller, query, log }) => {
    const [page, partnerRead] = await Promise.all([
      readTabPage(deps, caller.partnerId, opportunitiesRowQuery(query), query),
      readPartnerForStatus(deps, caller.partnerId, log),
    ]);
    const dismissed = page.status === "ready" ? await dismissedSince(feedbackDeps(deps), caller.partnerId, page.resultSetId) : () => false;
    // A page can hold fewer rows than pageSize when answers given since the refresh dismissed some of them.
    return ok(tabListAnswer(page, partnerRead, (docs) => docs.map(fromOpportunityRow).filter((o) => !dismissed(o))));
  };

export const opportunitiesSummary = (deps: ApiDeps): RouteHandler<typeof routes.opportunitiesSummary> =>
  async ({ caller, log }) => {
    const [current, partnerRead] = await Promise.all([readTabSummary(deps, caller.partnerId, "opportunities"), readPartnerForStatus(deps, caller.partnerId, log)]);
    const tiles = (s: ReturnType<typeof summarizeOpportunities>) => ({
      overview: {
        totalTenants: s.totalTenants,
        customersWithOpportunities: s.customersWithOpportunities,
        opportunities: s.opportunities,
        byCategory: s.byCategory,
        byType: s.byType,
      },
      prioritised: s.prioritised,
    });
    if (!current) {
      // The empty tab is the summary of no opportunities.
      return ok({ status: "notRefreshedYet", ...tiles(summarizeOpportunities([], 0)), hiddenByFeedback: 0, warnings: [], message: notRefreshedMessage, ...statusFields(partnerRead, undefined) });
    }
    const summary = opportunitiesSummaryDocSchema.parse(current.summary);
    return ok({
      status: "ready",
      ...tiles(summary),
      hiddenByFeedback: summary.hiddenByFeedback,
      warnings: summary.warnings,
      resultSetId: current.pointer.resultSetId,
      refreshedAt: current.pointer.refreshedAt,
      asOf: current.pointer.asOf,
      ...statusFields(partnerRead, current.pointer),
    });
  };

export const exportOpportunities = (deps: ApiDeps): RouteHandler<typeof routes.exportOpportunities> =>
  async ({ caller, query, request, log }) => {
    const pointer = await deps.results.pointer(caller.partnerId, "opportunities");
    const dismissed = pointer ? await dismissedSince(feedbackDeps(deps), caller.partnerId, pointer.resultSetId) : () => false;
    const origin = new URL(request.url).origin;
    const fields = opportunityCsvFields((tenantId) => customerPageLink(origin, tenantId));
    return exportTabRows(deps, {
      format: query.format,
      tab: "opportunities",
      sheetName: "Opportunities",
      partnerId: caller.partnerId,
      columns: fields,
      pointer,
      query: opportunitiesRowQuery(query),
      pageSize: exportPageSize,
      toRows: (docs) => docs.map(fromOpportunityRow).filter((o) => !dismissed(o)),
      log,
    });
  };

export const getOpportunityCustomer = (deps: ApiDeps): RouteHandler<typeof routes.getOpportunityCustomer> =>
  async ({ caller, params }) => {
    const { partnerId } = caller;
    const [pointer, customer] = await Promise.all([deps.results.pointer(partnerId, "opportunities"), readCustomerData(deps.opportunities.data, partnerId, params.tenantId)]);
    const [rows, dismissed] = pointer
      ? await Promise.all([
          deps.results.rows(partnerId, pointer.resultSetId, customerRowQuery(params.tenantId), 20).then((r) => r.docs),
          dismissedSince(feedbackDeps(deps), partnerId, pointer.resultSetId),
        ])
      : [[], () => false];
    if (!customer && rows.length === 0) throw new NotFoundError("No customer tenant with this id in your data.");
    const opportunities = rows.map(fromOpportunityRow).filter((o) => !dismissed(o));
    const first = opportunities[0];
    const tenant = customer?.tenant;
    const pick = <K extends "domain" | "tpid" | "customerName">(k: K) => tenant?.[k] ?? first?.[k];
    const snapshot = customer?.subscriptions;
    return ok({
      tenantId: params.tenantId,
      tenantName: tenant?.tenantName ?? first?.tenantName ?? params.tenantId,
      ...(pick("domain") ? { domain: pick("domain") } : {}),
      ...(pick("tpid") ? { tpid: pick("tpid") } : {}),
      ...(pick("customerName") ? { customerName: pick("customerName") } : {}),
      ...(tenant?.segment ? { segment: tenant.segment } : {}),
      opportunities,
      subscriptions: { ...(snapshot ? { asOf: snapshot.asOf } : {}), items: customerSubscriptions(snapshot ? [snapshot] : []) },
      usage: customerUsage(customer?.usage ?? {}, deps.opportunities.settings),
      ...(pointer ? { resultSetId: pointer.resultSetId } : {}),
    });
  };

export const giveOpportunityFeedback = (deps: ApiDeps): RouteHandler<typeof routes.giveOpportunityFeedback> =>
  async ({ caller, params, body, log }) => {
    const { partnerId } = caller;
    const pointer = await deps.results.pointer(partnerId, "opportunities");
    // Only the caller's partition is read: another partner's opportunity is as absent as one that no longer exists.
    const doc = pointer ? await deps.results.document(partnerId, resultIds.row("opportunities", pointer.resultSetId, params.opportunityId)) : undefined;
    if (!doc) throw new NotFoundError("No such opportunity in your current opportunities (it may have gone at the last refresh).");
    const o = fromOpportunityRow(doc);
    const record: FeedbackRecord = {
      opportunityId: o.id,
      tenantId: o.tenantId,
      type: o.type,
      modelId: o.modelId,
      ...(o.product ? { product: o.product } : {}),
      status: o.status,
      helpful: body.helpful,
      ...(body.reason ? { reason: body.reason } : {}),
      ...(body.comment ? { comment: body.comment } : {}),
      givenAt: new Date().toISOString(),
    };
    await deps.opportunities.feedback.add(partnerId, record);
    log.info(`feedback on opportunity ${o.id} (${o.modelId}): ${body.helpful ? "helpful" : `not helpful, ${body.reason}`}`);
    // The answer just given is the latest: not helpful hides it while its product and band stay as they are.
    return created({ ...record, hidden: !record.helpful });
  };

export const listOpportunityModels = (deps: ApiDeps): RouteHandler<typeof routes.listOpportunityModels> =>
  async ({ caller }) => {
    const [registry, feedback] = await Promise.all([deps.opportunities.models.read(caller.partnerId), deps.opportunities.feedback.list(caller.partnerId)]);
    const counts = feedbackCounts(feedback);
    const bands = deps.opportunities.settings.bands;
    if (!registry) return ok({ status: "notTrainedYet", bands, warnings: [], models: [] });
    const { doc } = registry;
    return ok({
      status: "trained",
      version: doc.version,
      savedAt: doc.savedAt,
      history: doc.history,
      bands: doc.settings.bands,
      warnings: doc.warnings,
      models: doc.models.map(({ fingerprint: _fingerprint, bands: bandHitRates, ...model }) => ({ ...model, bandHitRates, feedback: counts[model.modelId] })),
    });
  };

// Literal routes first, so summary, export and customers are never taken for an opportunity id.
registerRoute(routes.listOpportunities, listOpportunities);
registerRoute(routes.opportunitiesSummary, opportunitiesSummary);
registerRoute(routes.exportOpportunities, exportOpportunities);
registerRoute(routes.getOpportunityCustomer, getOpportunityCustomer);
registerRoute(routes.giveOpportunityFeedback, giveOpportunityFeedback);
registerRoute(routes.listOpportunityModels, listOpportunityModels);
