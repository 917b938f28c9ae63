import type { Metadata } from "next";
import { QuantWorkspace } from "@/components/quant/quant-workspace";

export const metadata: Metadata = { title: "Quantization" };
export const dynamic = "force-dynamic";

/** V9: quantization results (A10, §5). */
export default function QuantizationPage() {
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Quantization</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Mixed-precision settings for MoE models: bits per module, the average bits and size they come to, and what
          they cost in accuracy. The demo holds the Mixtral-8x7B settings of QuantMoE-Bench (Examining Post-Training
          Quantization for Mixture-of-Experts, arXiv 2406.08155).
        </p>
      </div>
      <QuantWorkspace />
    </div>
  );
}
