// Partner opportunity insights: one resource group holds the whole service.
// With azd:  azd up  (azure.yaml; parameters from the azd environment in main.parameters.json; the post-deploy
// hook runs the second pass below). By hand:  az deployment group create -g RG -f infra/main.bicep -p namePrefix=poi
// then publish the code, then deploy again with -p deployDropSubscription=true (see the README):
// the Event Grid webhook needs the blob extension's system key, which exists only once the code runs.
targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Short lowercase prefix for resource names (letters, digits, dashes).')
@minLength(2)
@maxLength(10)
param namePrefix string

@description('The azd environment name (AZURE_ENV_NAME), tagged azd-env-name on every resource; by hand it defaults to namePrefix.')
param environmentName string = namePrefix

@description('Node.js major version of the Functions runtime (Node 20 reached end of life on 30 April 2026).')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Cosmos DB capacity: serverless (pay per request, no idle cost) or autoscale provisioned throughput.')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosCapacityMode string = 'serverless'

@description('Autoscale maximum RU/s of the database (autoscale mode only; scales down to 10 %).')
param cosmosAutoscaleMaxThroughput int = 4000

@description('Largest drop file accepted, in bytes. The blob trigger receives the whole blob in memory, so it must fit the instance memory (2,048 MB).')
param ingestMaxBytes int = 268435456

@description('How many row errors an ingestion record keeps.')
param ingestMaxErrorsKept int = 100

@description('Priority frontline industries for the Flex sales motions (comma-separated).')
param frontlineIndustries string = 'Retail,Manufacturing,Healthcare,Hospitality,Transportation and Logistics'

@description('Propensity: the fit model is relearned at least every this many months (and whenever tenants or subscriptions change).')
param propensityFitEveryMonths int = 3

@description('Propensity: days after which a buying signal weighs half as much.')
param propensityIntentHalfLifeDays int = 30

@description('Propensity: signal type weights over the defaults, "Demo request=1.5|Webinar=0.6" (empty: the defaults).')
param propensitySignalWeights string = ''
@description('Opportunities tab thresholds as JSON, e.g. {"bands":{"high":0.6,"medium":0.3}}; {} keeps the documented defaults.')
param opportunitySettings string = '{}'

@description('Seconds a delivery working on a drop may stay silent before another takes the drop over.')
param ingestLeaseSeconds int = 60

@description('Deliveries of one drop before it ends failed instead of being retried forever.')
param ingestMaxAttempts int = 5

@description('NCRONTAB schedule of the sweep that re-ingests drops nobody finished (default: every minute).')
param sweepSchedule string = '0 */1 * * * *'

@description('Minutes an upload URL from POST /api/uploads stays valid (at most 60).')
@maxValue(60)
param uploadUrlMinutes int = 15

@description('Longest a refresh queued by a drop waits for the partner\'s other files still being ingested (0: never waits).')
@minValue(0)
@maxValue(600)
param refreshSettleSeconds int = 60

@description('Requests per minute one API key may make to one instance before it gets 429 (a backstop; see apiManagement for a real limit).')
param apiRequestsPerMinute int = 600

@description('Put API Management (Consumption) in front of the API with a per-key rate limit: the place for a production rate limit.')
param apiManagement bool = false

@description('With apiManagement: calls per key per minute before API Management answers 429.')
param apiManagementCallsPerMinute int = 300

@description('With apiManagement: the publisher e-mail API Management requires.')
param apiManagementPublisherEmail string = 'noreply@example.com'

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Second pass, after the code is published: subscribe the blob trigger to BlobCreated events on drops/.')
param deployDropSubscription bool = false

@description('Optional object id of an operator (user or group) given data access, e.g. to issue the first API key and upload drops.')
param operatorPrincipalId string = ''

@description('Entra ID sign-in: the tenant of the app registration (empty: this deployment\'s tenant), or organizations for work accounts of any tenant.')
param entraTenantId string = ''

@description('Entra ID sign-in is on when this is set: the app registration\'s client id and/or Application ID URI (comma-separated). Empty: API keys only.')
param entraAudience string = ''

@description('Expected token issuer; empty for Entra ID\'s v2.0 issuer of the tenant ({tenantid} stands for the token\'s tenant).')
param entraIssuer string = ''

@description('Where the token signing keys are published; empty for the tenant\'s v2.0 keys on login.microsoftonline.com.')
param entraJwksUri string = ''

@description('Trust the x-ms-client-principal header. Only with App Service authentication (Easy Auth) enabled in front of the app: otherwise anyone could forge it.')
param entraTrustAppServiceAuth bool = false

@description('App Service authentication for the web page (work-account sign-in): the app registration\'s client id; empty: off. Set entraTrustAppServiceAuth too.')
param appServiceAuthClientId string = ''

var suffix = uniqueString(resourceGroup().id, namePrefix)
var compactPrefix = toLower(replace(namePrefix, '-', ''))
var functionAppName = '${namePrefix}-func-${suffix}'
var storageAccountName = take('${compactPrefix}st${suffix}', 24)
var cosmosAccountName = '${namePrefix}-cosmos-${suffix}'
// azd finds this deployment's resources by these tags (and the app by azd-service-name, in functionApp.bicep).
var tags = {
  'azd-env-name': environmentName
}

// Names fixed by the code (shared/config.ts `names`, shared/adapters/cosmosLayout.ts); test/unit/infra.test.ts checks they agree.
var blobContainerNames = [
  'drops'
  'processed'
  'rejected'
  'models'
]
// The Flex Consumption deployment package lives here (identity-authenticated, never a SAS).
var deploymentContainerName = 'app-package'
// BlobCreated events Event Grid could not deliver to the blob trigger (the drops stay in drops/ for the sweep).
var deadLetterContainerName = 'drops-deadletter'
var queueNames = [
  'refresh-jobs'
  'refresh-jobs-poison'
  'ingest-jobs'
  'ingest-jobs-poison'
  'deal-training-jobs'
  'deal-training-jobs-poison'
  'webjobs-blobtrigger-poison'
]
var cosmosDatabaseName = 'insights'
var cosmosContainers = [
  {
    name: 'partners'
    partitionKey: '/partnerId'
  }
  {
    name: 'partnerData'
    partitionKey: '/partnerId'
  }
  {
    name: 'ingestions'
    partitionKey: '/partnerId'
  }
  {
    name: 'results'
    partitionKey: '/partnerId'
  }
]
// The blob-triggered function registered in functions/ingest.ts.
var ingestFunctionName = 'ingestDrop'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${namePrefix}-id-${suffix}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: '${namePrefix}-logs-${suffix}'
    appInsightsName: '${namePrefix}-ai-${suffix}'
    location: location
    tags: tags
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    blobContainerNames: concat(blobContainerNames, [deploymentContainerName, deadLetterContainerName])
    queueNames: queueNames
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    // The page uploads a drop straight to the URL /api/uploads gives: only the app's own origin may.
    uploadOrigins: [
      'https://${functionAppName}.azurewebsites.net'
    ]
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: cosmosAccountName
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containers: cosmosContainers
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    appPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    name: functionAppName
    planName: '${namePrefix}-plan-${suffix}'
    location: location
    tags: tags
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobServiceUri: storage.outputs.blobEndpoint
    queueServiceUri: storage.outputs.queueEndpoint
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmosDatabaseName
    appInsightsConnectionString: monitoring.outputs.connectionString
    ingestMaxBytes: ingestMaxBytes
    ingestMaxErrorsKept: ingestMaxErrorsKept
    ingestLeaseSeconds: ingestLeaseSeconds
    ingestMaxAttempts: ingestMaxAttempts
    sweepSchedule: sweepSchedule
    uploadUrlMinutes: uploadUrlMinutes
    refreshSettleSeconds: refreshSettleSeconds
    apiRequestsPerMinute: apiRequestsPerMinute
    frontlineIndustries: frontlineIndustries
    entraTenantId: empty(entraTenantId) ? tenant().tenantId : entraTenantId
    entraAudience: entraAudience
    entraIssuer: entraIssuer
    entraJwksUri: entraJwksUri
    entraTrustAppServiceAuth: entraTrustAppServiceAuth
    appServiceAuthClientId: appServiceAuthClientId
    appServiceAuthIssuer: '${environment().authentication.loginEndpoint}${empty(entraTenantId) || entraTenantId == 'organizations' ? tenant().tenantId : entraTenantId}/v2.0'
    propensityFitEveryMonths: propensityFitEveryMonths
    propensityIntentHalfLifeDays: propensityIntentHalfLifeDays
    propensitySignalWeights: propensitySignalWeights
    opportunitySettings: opportunitySettings
  }
}

module apim 'modules/apiManagement.bicep' = if (apiManagement) {
  name: 'apiManagement'
  params: {
    name: '${namePrefix}-apim-${suffix}'
    location: location
    tags: tags
    publisherEmail: apiManagementPublisherEmail
    backendUrl: 'https://${functionApp.outputs.defaultHostName}/api'
    callsPerMinute: apiManagementCallsPerMinute
  }
}

module eventGrid 'modules/eventGrid.bicep' = {
  name: 'eventGrid'
  params: {
    name: '${namePrefix}-evgt-${suffix}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
  }
}

// A module with a false condition is never evaluated, so its listKeys call cannot fail on the first pass.
module dropSubscription 'modules/dropSubscription.bicep' = if (deployDropSubscription) {
  name: 'dropSubscription'
  params: {
    systemTopicName: eventGrid.outputs.name
    functionAppName: functionApp.outputs.name
    functionName: ingestFunctionName
    containerName: 'drops'
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
  }
}

// Upper-case names: azd stores outputs in the environment under these names (the post-deploy hook reads them).
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmosDatabaseName
output AZURE_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output DROP_SUBSCRIPTION_DEPLOYED bool = deployDropSubscription
output DEAD_LETTER_CONTAINER string = deadLetterContainerName
output ENTRA_SIGN_IN_ENABLED bool = !empty(entraAudience)
output API_MANAGEMENT_URL string = apiManagement ? apim.outputs.gatewayUrl : ''
