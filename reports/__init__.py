"""Reports: the offices' exports, the recall trace, the dashboard.

Decisions, in one place:
- Forms (reports/forms.py) repeat ../shared/forms/seed-forms.json
  column for column; the tests compare them. `outlet_rewards` (alias
  `outlet-rewards`) is an extra key, not a seed form.
- Money a household received in a period = the payments to it dated
  (paid_on) in the period, never by a batch's harvest; what a
  contribution says was paid beyond its payments was paid at the
  harvest (reports.selectors.ledger.paid_in_period). Money the household
  has not confirmed is shown apart (待本户确认). Benefit-link annual
  income is the declared yearly figure, shown beside it, never added
  or pro-rated (reports/selectors/).
- Each box sells once on the forms: an outlet's resale of goods it
  bought in is left out (reports.selectors.common.not_a_resale).
- 贫困户姓名: full for administrators, masked (王*明) for others.
  ID numbers appear whole only in the administrators' 带贫人员名册;
  others get 404 for it.
- Sales belong to the region their product comes from (the batch's
  origin). Outlets and 大型产销活动 (reports.models.SalesEvent) are
  public registers, counted in full; events by their date.
- Scope (trace.access): operators see their producer's rows,
  inspectors their regions, administrators all. The outlet-rewards
  report is for administrators and inspectors.
- 承诺达标合格证 (reports.certificates rules, reports.services issue,
  reports.certificate_pdf drawing): each issuance is a Certificate row
  with what it said and both PDFs (A6, 70x50 mm label). The basis must be
  backed by signed, current inspections (自检: a passing self check;
  委托检测: a passing spot check or lab test by another organisation);
  内部质量控制 is always allowed. QR: the lot's Digital Link with a GTIN,
  else the first active label's URL, else a printed note.
- EPCIS 2.0 (reports.epcis): trace events, signed inspections, holds and
  recalls, print jobs and label voids as ObjectEvents; valid against GS1's
  JSON schema. An eventID always names the same content: a later change is
  a new event, and names that may change travel as master data.
- The offices' cycle (reports.submissions writes, reports.selectors.
  submissions reads): a ReportPeriod per form, region and window with the
  seeds' deadlines; one Submission per period and region, frozen on submit
  (rows, 填报单位 from the region, 填报人/联系方式 from UserRole.real_name and
  phone), returned with a reason or accepted by the level above; a region's
  roll-up sums its children's accepted submissions (list forms concatenated,
  the 统计表 added row by row). Later data shows as a difference, never
  alters the snapshot; on PostgreSQL triggers keep accepted ones unchanged.
- Printing (reports.exports, reports.form_pdf, reports.formatting): A4
  landscape one page wide, one date format (YYYY-MM-DD) and one amount
  format (12,345.60) in every XLSX and PDF form.
- Extension points for labels and inspections:
  reports.selectors.recall.recall_trace_labels_part,
  recall_trace_inspections_part and dashboard_extension_panels.
"""
