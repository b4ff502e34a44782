// Flex Consumption function app (Linux, Node.js), running as the user-assigned identity.
// Flex Consumption sets the runtime in functionAppConfig; FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION are not allowed as app settings on this plan.
param name string
param planName string
param location string
@description('Tags on every resource (azd-env-name: the azd environment).')
param tags object = {}
param nodeVersion string
param maximumInstanceCount int
param identityId string
param identityClientId string
param blobServiceUri string
param queueServiceUri string
param deploymentContainerUrl string
param cosmosEndpoint string
param cosmosDatabaseName string
param appInsightsConnectionString string
param ingestMaxBytes int
param ingestMaxErrorsKept int
param ingestLeaseSeconds int
param ingestMaxAttempts int
param sweepSchedule string
param uploadUrlMinutes int
param refreshSettleSeconds int
param apiRequestsPerMinute int
param frontlineIndustries string
@description('The azure.yaml service this app runs (azd deploys to the resource tagged azd-service-name with it).')
param serviceName string = 'api'
@description('Entra ID sign-in: the app registration\'s tenant, or organizations (see the README).')
param entraTenantId string
@description('Entra ID sign-in is on when this is set: accepted token audiences, comma-separated.')
param entraAudience string
@description('Token issuer; empty for Entra ID\'s v2.0 issuer.')
param entraIssuer string
@description('Signing keys; empty for the tenant\'s published v2.0 keys.')
param entraJwksUri string
@description('Trust the x-ms-client-principal header: only with App Service authentication enabled in front of the app.')
param entraTrustAppServiceAuth bool
@description('App Service authentication (work-account sign-in on the page) is on when this is set: the app registration\'s client id.')
param appServiceAuthClientId string = ''
@description('The OpenID issuer of that sign-in: https://login.microsoftonline.com/{tenant}/v2.0.')
param appServiceAuthIssuer string = ''
param propensityFitEveryMonths int
param propensityIntentHalfLifeDays int
param propensitySignalWeights string
param opportunitySettings string

// The blob trigger holds a whole drop in memory (INGEST_MAX_BYTES); 2,048 MB leaves room to parse it.
var instanceMemoryMB = 2048
// The Node worker's V8 heap: half the instance, the size Node itself picks in a 2,048 MB container, stated here so it
// does not depend on whether the platform shows the container's limit to Node. The rest is for buffers, code and the
// Functions host. The benchmark runs its host with the same heap (local/host/workerHeap.ts).
var nodeHeapMB = instanceMemoryMB / 2

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      // Every setting the code reads in Azure (shared/config.ts); identity-based, no keys.
      // Local-only settings (COSMOS_KEY, the AzureWebJobsStorage connection string) are deliberately absent.
      appSettings: [
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: blobServiceUri
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: queueServiceUri
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'COSMOS_ENDPOINT'
          value: cosmosEndpoint
        }
        {
          name: 'COSMOS_DATABASE'
          value: cosmosDatabaseName
        }
        {
          name: 'COSMOS_REQUEST_TIMEOUT_MS'
          value: '10000'
        }
        {
          name: 'INGEST_MAX_BYTES'
          value: string(ingestMaxBytes)
        }
        {
          name: 'INGEST_MAX_ERRORS_KEPT'
          value: string(ingestMaxErrorsKept)
        }
        {
          name: 'INGEST_LEASE_SECONDS'
          value: string(ingestLeaseSeconds)
        }
        {
          name: 'INGEST_MAX_ATTEMPTS'
          value: string(ingestMaxAttempts)
        }
        {
          // Read by the sweepDrops timer as %SWEEP_SCHEDULE%.
          name: 'SWEEP_SCHEDULE'
          value: sweepSchedule
        }
        {
          name: 'UPLOAD_URL_MINUTES'
          value: string(uploadUrlMinutes)
        }
        {
          name: 'REFRESH_SETTLE_SECONDS'
          value: string(refreshSettleSeconds)
        }
        {
          name: 'API_REQUESTS_PER_MINUTE'
          value: string(apiRequestsPerMinute)
        }
        {
          name: 'FRONTLINE_INDUSTRIES'
          value: frontlineIndustries
        }
        {
          name: 'ENTRA_TENANT_ID'
          value: entraTenantId
        }
        {
          name: 'ENTRA_AUDIENCE'
          value: entraAudience
        }
        {
          name: 'ENTRA_ISSUER'
          value: entraIssuer
        }
        {
          name: 'ENTRA_JWKS_URI'
          value: entraJwksUri
        }
        {
          name: 'ENTRA_TRUST_APP_SERVICE_AUTH'
          value: entraTrustAppServiceAuth ? 'true' : 'false'
        }
        {
          name: 'PROPENSITY_FIT_EVERY_MONTHS'
          value: string(propensityFitEveryMonths)
        }
        {
          name: 'PROPENSITY_INTENT_HALF_LIFE_DAYS'
          value: string(propensityIntentHalfLifeDays)
        }
        {
          name: 'PROPENSITY_SIGNAL_WEIGHTS'
          value: propensitySignalWeights
        }
        {
          name: 'OPPORTUNITY_SETTINGS'
          value: opportunitySettings
        }
        {
          // Arguments the Functions host starts the Node worker with: its heap limit (nodeHeapMB above).
          name: 'languageWorkers__node__arguments'
          value: '--max-old-space-size=${nodeHeapMB}'
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          // Telemetry is sent with the managed identity (App Insights local auth is disabled).
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: 16
          }
        }
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// App Service authentication in front of the app: people sign in at /.auth/login/aad and the platform passes
// who they are in x-ms-client-principal. Anonymous requests still reach the app (API keys, /api/health).
resource appServiceAuth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(appServiceAuthClientId)) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: appServiceAuthClientId
          openIdIssuer: appServiceAuthIssuer
        }
        validation: {
          allowedAudiences: [
            appServiceAuthClientId
            'api://${appServiceAuthClientId}'
          ]
        }
      }
    }
  }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
