/* The one list of every API's route table. */
#include "api/batch.h"
#include "api/compute.h"
#include "api/crm.h"
#include "api/dispatch.h"
#include "api/health.h"
#include "api/iam.h"
#include "api/oslogin.h"
#include "api/router.h"
#include "api/shim.h"
#include "api/storage.h"
#include "api/storage_objects.h"

void api_routes_register(struct api_router *router)
{
	api_router_add(router, api_health_routes, api_health_routes_count);
	api_router_add(router, api_crm_routes, api_crm_routes_count);
	api_router_add(router, api_serviceusage_routes, api_serviceusage_routes_count);
	api_router_add(router, api_storage_bucket_routes, api_storage_bucket_routes_count);
	api_router_add(router, api_storage_object_routes, api_storage_object_routes_count);
	api_router_add(router, api_compute_catalog_routes, api_compute_catalog_routes_count);
	api_router_add(router, api_compute_operation_routes, api_compute_operation_routes_count);
	api_router_add(router, api_compute_project_routes, api_compute_project_routes_count);
	api_router_add(router, api_compute_instance_routes, api_compute_instance_routes_count);
	api_router_add(router, api_compute_image_routes, api_compute_image_routes_count);
	api_router_add(router, api_compute_network_routes, api_compute_network_routes_count);
	api_router_add(router, api_compute_firewall_routes, api_compute_firewall_routes_count);
	api_router_add(router, api_compute_address_routes, api_compute_address_routes_count);
	api_router_add(router, api_batch_routes, api_batch_routes_count);
	api_router_add(router, api_shim_routes, api_shim_routes_count);
	api_router_add(router, api_oslogin_routes, api_oslogin_routes_count);
	api_router_add(router, api_iam_routes, api_iam_routes_count);
	api_router_add(router, api_iam_key_routes, api_iam_key_routes_count);
	api_router_add(router, api_iam_policy_routes, api_iam_policy_routes_count);
	api_router_add(router, api_iam_role_routes, api_iam_role_routes_count);
	api_router_add(router, api_oauth_routes, api_oauth_routes_count);
}
