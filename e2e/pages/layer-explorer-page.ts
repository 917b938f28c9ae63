import { expect, type Page } from "@playwright/test";

/** The layer explorer as a test sees it (page object). */
export class LayerExplorerPage {
  constructor(readonly page: Page) {}

  canvas = () => this.page.getByTestId("heatmap-canvas");
  tooltip = () => this.page.getByTestId("heatmap-tooltip");
  layerNumber = () => this.page.getByTestId("layer-number");

  async goto(runId: string, layer: number, query = "") {
    await this.page.goto(`/runs/${runId}/layers/${layer}${query}`);
    await this.waitDrawn();
  }

  /** The canvas says it has drawn at least once for the current data. */
  async waitDrawn() {
    await expect(this.canvas()).toHaveAttribute("data-drawn", /[1-9]/);
  }

  /** Hovers the cell at row position r, column position c (in the current order). */
  async hoverCell(r: number, c: number, n: number) {
    const box = (await this.canvas().boundingBox())!;
    const cell = box.width / n;
    await this.page.mouse.move(box.x + (c + 0.5) * cell, box.y + (r + 0.5) * cell);
    await expect(this.tooltip()).toBeVisible();
  }
}
