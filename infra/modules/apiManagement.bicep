// Optional (main.bicep apiManagement=true): API Management (Consumption tier) in front of the API, the place for
// a production rate limit. Each API key gets `callsPerMinute` calls per minute across every instance (the
// function app's own per-key budget is per instance, a backstop only). The key is counted by its hash, so
// API Management's logs and counters never hold it.
param name string
param location string
@description('Tags on every resource (azd-env-name: the azd environment).')
param tags object = {}
param publisherEmail string
@description('The function app API base, e.g. https://app.azurewebsites.net/api')
param backendUrl string
param callsPerMinute int

resource service 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Consumption'
    capacity: 0
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: 'Partner opportunity insights'
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: service
  name: 'insights'
  properties: {
    displayName: 'Partner opportunity insights'
    path: 'api'
    protocols: [
      'https'
    ]
    serviceUrl: backendUrl
    // The API's own keys authenticate; API Management adds no subscription key of its own.
    subscriptionRequired: false
  }
}

resource wildcardOperations 'Microsoft.ApiManagement/service/apis/operations@2023-05-01-preview' = [
  for method in [
    'GET'
    'POST'
    'PUT'
    'DELETE'
  ]: {
    parent: api
    name: 'all-${toLower(method)}'
    properties: {
      displayName: '${method} /*'
      method: method
      urlTemplate: '/*'
    }
  }
]

resource policy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><base /><rate-limit-by-key calls="${callsPerMinute}" renewal-period="60" counter-key="@{ var k = context.Request.Headers.GetValueOrDefault(&quot;x-api-key&quot;, context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;, &quot;&quot;)); using (var sha = System.Security.Cryptography.SHA256.Create()) { return Convert.ToBase64String(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(k))); } }" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>'
  }
}

output gatewayUrl string = '${service.properties.gatewayUrl}/api'
