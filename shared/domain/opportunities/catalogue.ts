import type { ModelId } from "./inputs.js";
import type { Resource } from "./opportunity.js";

// Suggested actions and resources per model, as data: Microsoft's public playbooks, product and learning pages.
// A partner-specific catalogue (its own email templates) can replace an entry later without touching the models.

export interface CatalogueEntry {
  actions: string[];
  resources: Resource[];
}

const salesAdvisor: Resource = {
  title: "Sales Advisor in Microsoft 365 Lighthouse",
  url: "https://learn.microsoft.com/microsoft-365/lighthouse/m365-lighthouse-sales-advisor-overview",
  kind: "learning",
};
const compareBusiness: Resource = {
  title: "Compare Microsoft 365 business plans",
  url: "https://www.microsoft.com/microsoft-365/business/compare-all-microsoft-365-business-products",
  kind: "product page",
};
const adoption: Resource = { title: "Microsoft Adoption: guides, templates and campaigns", url: "https://adoption.microsoft.com/", kind: "playbook" };
const usageReports: Resource = {
  title: "Microsoft 365 usage reports",
  url: "https://learn.microsoft.com/microsoft-365/admin/activity-reports/activity-reports",
  kind: "learning",
};

export const catalogue: Record<ModelId, CatalogueEntry> = {
  bSkuUpsell: {
    actions: [
      "Review the customer's seat use and the features of the next Business plan with the decision maker",
      "Offer a side-by-side of the current and recommended plan, priced for the seats in use",
      "Plan the licence switch for the next renewal or mid-term upgrade",
    ],
    resources: [
      compareBusiness,
      {
        title: "Microsoft 365 Business Premium: set up and secure",
        url: "https://learn.microsoft.com/microsoft-365/business-premium/m365-business-premium-setup",
        kind: "playbook",
      },
      salesAdvisor,
    ],
  },
  eSkuUpsell: {
    actions: [
      "Run a security and compliance workshop to show what the next Enterprise plan adds",
      "Map the customer's add-ons onto the recommended suite to show the saving",
      "Propose a phased upgrade starting with the most active users",
    ],
    resources: [
      {
        title: "Microsoft 365 Enterprise plans",
        url: "https://www.microsoft.com/microsoft-365/enterprise/microsoft365-plans-and-pricing",
        kind: "product page",
      },
      { title: "Microsoft 365 Enterprise overview", url: "https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-overview", kind: "learning" },
      salesAdvisor,
    ],
  },
  churnRisk: {
    actions: [
      "Call the customer's decision maker before the renewal to review value and plans",
      "Run an adoption session for the workloads whose use is falling",
      "Check for service issues or unmet needs and agree on a success plan",
    ],
    resources: [adoption, usageReports, salesAdvisor],
  },
  smbEngagement: {
    actions: [
      "Schedule a short adoption session for the under-used workloads",
      "Send the customer an adoption email with quick-start guides for those workloads",
      "Offer to set up Teams, SharePoint and OneDrive file sharing for their teams",
    ],
    resources: [
      adoption,
      { title: "Microsoft Teams adoption", url: "https://adoption.microsoft.com/microsoft-teams/", kind: "playbook" },
      usageReports,
    ],
  },
  mdoGrowth: {
    actions: [
      "Run a threat-protection assessment of the customer's email",
      "Start a Defender for Office 365 trial and review the findings with the customer",
      "Propose Business Premium to small customers: it includes Defender for Office 365 Plan 1",
    ],
    resources: [
      { title: "Microsoft Defender for Office 365", url: "https://learn.microsoft.com/defender-office-365/mdo-about", kind: "learning" },
      {
        title: "Try Microsoft Defender for Office 365",
        url: "https://learn.microsoft.com/defender-office-365/try-microsoft-defender-for-office-365",
        kind: "demo",
      },
      compareBusiness,
    ],
  },
  mfaEngagement: {
    actions: [
      "Show the customer how many users sign in without multifactor authentication",
      "Turn on security defaults or Conditional Access MFA policies with the customer",
      "Send users an enrolment email for the Microsoft Authenticator app",
    ],
    resources: [
      {
        title: "How Microsoft Entra multifactor authentication works",
        url: "https://learn.microsoft.com/entra/identity/authentication/concept-mfa-howitworks",
        kind: "learning",
      },
      {
        title: "Plan a Microsoft Entra multifactor authentication deployment",
        url: "https://learn.microsoft.com/entra/identity/authentication/howto-mfa-getstarted",
        kind: "playbook",
      },
      { title: "Security defaults in Microsoft Entra ID", url: "https://learn.microsoft.com/entra/fundamentals/security-defaults", kind: "learning" },
    ],
  },
  mdbGrowth: {
    actions: [
      "Review the customer's device protection and how devices are managed today",
      "Start a Defender for Business trial on a few devices",
      "Propose Business Premium when the customer also needs device management",
    ],
    resources: [
      { title: "Microsoft Defender for Business", url: "https://learn.microsoft.com/defender-business/", kind: "learning" },
      {
        title: "Defender for Business trial user guide",
        url: "https://learn.microsoft.com/defender-business/trial-playbook-defender-business",
        kind: "playbook",
      },
      compareBusiness,
    ],
  },
  trials: {
    actions: [
      "Contact the customer before the trial ends to review how the trial users work",
      "Recommend the paid plan that fits the number of trial users",
      "Offer help moving the trial users to paid licences without interruption",
    ],
    resources: [
      { title: "Teams Exploratory experience", url: "https://learn.microsoft.com/microsoftteams/teams-exploratory", kind: "learning" },
      compareBusiness,
      salesAdvisor,
    ],
  },
};
