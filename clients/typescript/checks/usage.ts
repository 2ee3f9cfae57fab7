// Compiled by `tsc --noEmit` (tests/contracts/test_typescript_types.py): the generated
// types are usable the way a frontend uses them. Nothing here runs.
import type { construction, finance, reporting, survey } from "../src/index";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

type HouseholdPage = Json<survey.paths["/v1/households"]["get"]["responses"][200]>;
type HouseholdQuery = NonNullable<survey.paths["/v1/households"]["get"]["parameters"]["query"]>;
type NewHousehold = survey.components["schemas"]["HouseholdCreate"];

export function nextPage(page: HouseholdPage, query: HouseholdQuery): HouseholdQuery | null {
  const ids: string[] = page.items.map((household) => household.id);
  void ids;
  return page.next_cursor === null ? null : { ...query, cursor: page.next_cursor };
}

export function registration(body: NewHousehold): NewHousehold {
  return { ...body, household_size: body.household_size };
}

export type Services = [
  construction.paths,
  finance.paths,
  reporting.paths,
  survey.components["schemas"]["HouseholdPublic"],
];
