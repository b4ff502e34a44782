// The V8 heap the Node worker runs with in Azure: infra/modules/functionApp.bicep starts it with
// --max-old-space-size of half the 2,048 MB Flex Consumption instance (languageWorkers__node__arguments). That is
// the size Node picks by itself in a 2,048 MB container; on a developer machine with more memory it would allow up to
// 4 GB and let garbage pile up that the deployed worker collects. The benchmark runs its host with this heap so its
// memory figures are the deployed worker's (bench/hostChild.ts); test/unit/infra.test.ts keeps the two equal.

export const azureInstanceMemoryMB = 2048;
export const azureWorkerHeapMB = azureInstanceMemoryMB / 2;
