"""Benchmark: `qmsdoc validate` on 10,000 complaint records, against check-jsonschema.

Generates (once; reused while the marker matches) a git records repository under
bench/work/validate/ with N realistic complaint records derived from the sample
records/complaints/2026/CC-2026-0001.yaml, then measures whole-process wall time of

  * qmsdoc --repo DIR -q validate                     (all records; best of 3, median)
  * qmsdoc --repo DIR validate --changed-since HEAD   (one record edited in the work tree)
  * check-jsonschema --schemafile BUNDLED FILES...    (same files, same schema; run once)

and prints a table with PASS/MISS next to each target. Targets are reported, not asserted;
the script exits non-zero only when a command fails unexpectedly.

Run: python bench/run.py validate   (or directly: python bench/bench_validate.py)
Env: QMSDOC_BENCH_N (default 10000), QMSDOC_BENCH_REPEAT (default 3).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
REPO = WORK / "validate"
MARKER = WORK / "validate.marker.json"
SCHEMA_OUT = WORK / "complaint.bundled.schema.json"
SAMPLE = ROOT / "records" / "complaints" / "2026" / "CC-2026-0001.yaml"
CONFIG = ROOT / "qmsdoc.yaml"

N = int(os.environ.get("QMSDOC_BENCH_N", "10000"))
REPEAT = max(1, int(os.environ.get("QMSDOC_BENCH_REPEAT", "3")))
SEED = 20261103
GENERATOR_VERSION = 4  # bump when the generated content changes
YEARS = tuple(range(2020, 2027))
TZ = "+08:00"

TARGET_RATIO = 4.0  # qmsdoc at least 4x faster than check-jsonschema
TARGET_CHANGED_S = 1.0  # --changed-since with one changed record
EXPECTED_FULL_S = (3.0, 5.0)  # rough expectation for 10k records (informational)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# tools
# --------------------------------------------------------------------------------------------


def tool(name: str) -> str:
    """A console script of the running interpreter's environment (the venv), else PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed (pip install {name})")
    return found


@dataclass(frozen=True, order=True)
class Timing:
    wall: float  # seconds, whole process
    cpu: float  # user + system seconds of the process and every child it waited for


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], *, cwd: Path | None = None, ok: tuple[int, ...] = (0,),
        what: str = "") -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; its wall and CPU time and the result. Unexpected exit codes raise."""
    env = dict(os.environ)
    env.pop("QMSDOC_REPO", None)
    env["CI"] = "1"  # no progress bars
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = Timing(time.perf_counter() - started, _children_cpu() - cpu)
    if proc.returncode not in ok:
        shown = " ".join(cmd if len(cmd) < 12 else [*cmd[:10], f"... ({len(cmd)} args)"])
        raise BenchError(
            f"{what or shown}: exit {proc.returncode} (expected {ok})\n$ {shown}\n"
            f"--- stdout (tail) ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        )
    return elapsed, proc


def git(*args: str, quiet_ok: tuple[int, ...] = (0,)) -> str:
    _, proc = run(["git", "-C", str(REPO), "-c", "user.name=bench",
                   "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false",
                   *args], ok=quiet_ok, what=f"git {args[0]}")
    return proc.stdout


# --------------------------------------------------------------------------------------------
# a small YAML writer: block style, folded long text, plain dates, quoted numeric-looking text
# --------------------------------------------------------------------------------------------

_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00)?")
_NUMBER_LIKE = re.compile(r"[-+.0-9_:eE]+")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", ""}


def scalar(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str), value
    if _DATE_LIKE.fullmatch(value):
        return value  # unquoted on purpose: qmsdoc keeps them text (YAML 1.2 core)
    if (_NUMBER_LIKE.fullmatch(value) or value.lower() in _RESERVED
            or value[0] in "-?:,[]{}#&*!|>'\"%@` " or value[-1] == " "
            or ": " in value or " #" in value or "\t" in value or "\n" in value):
        return json.dumps(value, ensure_ascii=False)
    return value


def _fold(text: str, soft: int = 30, hard: int = 60) -> list[str]:
    """Lines of a folded scalar: break after Chinese punctuation once a line is long enough."""
    lines, line = [], ""
    for char in text:
        line += char
        if (len(line) >= soft and char in "，。；：、") or len(line) >= hard:
            lines.append(line)
            line = ""
    if line:
        lines.append(line)
    return [part for part in (x.strip(" ") for x in lines) if part]


def emit(node: object, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            lines.extend(_entry(f"{pad}{key}:", value, indent))
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict):
                sub = emit(value, indent + 2)
                sub[0] = f"{pad}- " + sub[0][indent + 2:]
                lines.extend(sub)
            else:
                lines.extend(_entry(f"{pad}-", value, indent))
    return lines


def _entry(head: str, value: object, indent: int) -> list[str]:
    if isinstance(value, dict):
        return [head, *emit(value, indent + 2)]
    if isinstance(value, list):
        if value and all(isinstance(v, str) and re.fullmatch(r"[a-z_]+", v) for v in value):
            return [f"{head} [{', '.join(value)}]"]  # e.g. method: [visual, lab_test]
        return [head, *emit(value, indent + 2)] if value else [f"{head} []"]
    if isinstance(value, str) and len(value) > 56 and not value.startswith(" "):
        pad = " " * (indent + 2)
        return [f"{head} >-", *(pad + part for part in _fold(value))]
    return [f"{head} {scalar(value)}"]


# --------------------------------------------------------------------------------------------
# realistic complaint content
# --------------------------------------------------------------------------------------------

CUSTOMERS = {
    "HXAUTO": {
        "prefix": "HX", "domain": "hxauto.example.com", "weight": 5,
        "ship_to": ["HXAUTO 杭州总装二厂", "HXAUTO 杭州总装一厂", "HXAUTO 宁波冲焊车间",
                    "HXAUTO 合肥基地"],
        "contacts": [("黄建国", "huang.jianguo", "供应商质量工程师(SQE)"),
                     ("吴晓峰", "wu.xiaofeng", "来料检验主管"),
                     ("郑丽华", "zheng.lihua", "SQE经理"),
                     ("许志强", "xu.zhiqiang", "总装车间质量工程师")],
        "phone": "0571",
        "parts": [("电池托架安装支架(左)", "SAPH440 t2.5，折弯R3.0±0.3"),
                  ("电池托架安装支架(右)", "SAPH440 t2.5，折弯R3.0±0.3"),
                  ("座椅滑轨加强板", "B340LA t2.0，孔位±0.1"),
                  ("仪表板横梁支架", "DC04 t1.8，镀锌层≥8μm"),
                  ("散热器固定支架", "SPCC t1.5，电泳黑"),
                  ("副车架连接板", "QStE420 t3.0，平面度0.3"),
                  ("车门铰链加强片", "SAPH370 t2.2，毛刺≤0.1"),
                  ("排气管吊耳支架", "SUS409L t2.0，焊缝长度20±2")],
    },
    "LDEV": {
        "prefix": "LD", "domain": "ldev.example.com", "weight": 4,
        "ship_to": ["LDEV 东莞整车厂 二号仓", "LDEV 东莞整车厂 一号仓", "LDEV 惠州电控工厂"],
        "contacts": [("陈思远", "chen.siyuan", "物料计划员"),
                     ("林晓燕", "lin.xiaoyan", "供应商质量工程师"),
                     ("杨帆", "yang.fan", "采购工程师")],
        "phone": "0769",
        "parts": [("充电口盖(外盖)", "PC/ABS 注塑，黑色高光"),
                  ("电控箱屏蔽罩", "SPCC t0.8，镀镍"),
                  ("电机端盖", "ADC12 压铸，气密≤5 cc/min"),
                  ("高压连接器壳体", "PA66-GF30，阻燃V0"),
                  ("线束固定卡扣", "PA6 注塑，插拔力30–50 N"),
                  ("电池包侧板", "6063-T6 型材，长度±0.5")],
    },
    "NONGFENG": {
        "prefix": "NF", "domain": "nongfeng.example.com", "weight": 1,
        "ship_to": ["农丰 济南配送中心", "农丰 石家庄仓库", "农丰 郑州门店"],
        "contacts": [("刘德明", "liu.deming", "采购经理"), ("马红梅", "ma.hongmei", "仓储主管")],
        "phone": "0531",
        "parts": [("喷雾器泵体", "PP 注塑，耐压0.6 MPa"),
                  ("施肥器齿轮", "POM 注塑，模数1.0"),
                  ("滴灌接头", "PE 注塑，φ16"),
                  ("播种机链轮", "45钢，齿面淬火")],
    },
}

# defect family: what went wrong, how it was found, why, what was done
DEFECTS = [
    {"defect": "R角开裂", "subtype": "performance", "category": "quality", "function": True,
     "where": "在{stage}时有{n}件在折弯R角处开裂", "rc": "method",
     "cause": ("修模后第{st}工位折弯镶块漏装调整垫片，折弯凸模下行量增大，"
               "外侧R角减小至R{r}，材料外侧拉伸超限产生微裂纹"),
     "escape": "修模后首件检验仅目视和卡尺检查，控制计划中无R角检测项目，微裂纹目视难以发现",
     "short": ["客户处、在途及库存同批次产品隔离挑选，不良品报废，良品加贴绿色标签",
               "修模后首件增加R规检测和5件渗透探伤，品质部签字后方可量产"],
     "long": ["折弯镶块与调整垫片改为一体式结构，从设计上消除漏装垫片的可能(防错)",
              "更新PFMEA和控制计划，增加R角每2小时R规检测5件"]},
    {"defect": "毛刺超标", "subtype": "appearance", "category": "quality", "function": False,
     "where": "来料检验时发现{n}件冲裁边毛刺高度超过0.15 mm", "rc": "process",
     "cause": "落料模刃口磨损，冲次已达{k}万次未按计划刃磨，间隙增大导致毛刺高度超差",
     "escape": "出货检验按AQL 1.0抽检，毛刺检测仅凭手感，未使用毛刺测量仪",
     "short": ["库存及在途产品全部返工去毛刺，100%检验后重新出货",
               "立即刃磨落料模并首件确认毛刺高度≤0.08 mm"],
     "long": ["模具管理系统增加冲次计数预警，到达8万次自动停机刃磨",
              "出货检验增加毛刺测量仪检测，每批抽检13件"]},
    {"defect": "孔位偏移", "subtype": "performance", "category": "quality", "function": True,
     "where": "装配时有{n}件安装孔无法对准，实测孔位偏移{r} mm", "rc": "process",
     "cause": "冲孔工位定位销磨损{r} mm后未及时更换，送料步距偏差累积导致孔位偏移",
     "escape": "检具只检测孔径，未检测孔位，首件检验记录未覆盖该尺寸",
     "short": ["在线及库存产品用检具100%检测孔位，不良品隔离报废",
               "更换定位销并调整送料步距，首件三坐标全尺寸检测"],
     "long": ["定位销纳入易损件清单，每5万冲次强制更换",
              "检具增加孔位检测销，控制计划增加孔位每班首中末件检测"]},
    {"defect": "表面锈蚀", "subtype": "protection", "category": "quality", "function": False,
     "where": "开箱检查时发现{n}件表面有点状锈蚀", "rc": "packaging",
     "cause": "防锈油喷涂量不足且包装内未放干燥剂，梅雨季节运输{k}天后受潮生锈",
     "escape": "出货检验未检查防锈油覆盖情况，包装作业指导书未规定雨季防护要求",
     "short": ["库存产品重新清洗、喷涂防锈油并加放干燥剂后出货",
               "客户处锈蚀品全部退回返工，良品补足"],
     "long": ["修订包装作业指导书，增加雨季真空包装和干燥剂要求",
              "防锈油喷涂工位增加油膜厚度点检，每2小时一次"]},
    {"defect": "漏焊", "subtype": "performance", "category": "quality", "function": True,
     "where": "在{stage}时发现{n}件螺母漏焊，螺栓无法拧紧", "rc": "method",
     "cause": "凸焊机送料器卡料后作业员手动补料，未按作业指导书复检，导致{n}件漏焊流出",
     "escape": "焊接后螺母有无仅目视检查，生产线无漏焊自动检测装置",
     "short": ["库存及在途产品100%推力测试，漏焊品报废",
               "凸焊工位增加螺母有无检测传感器，临时安排专人全检"],
     "long": ["凸焊机加装螺母检测防错装置，漏送料自动报警停机",
              "作业指导书增加手动补料后10件连续检查要求并培训全部操作员"]},
    {"defect": "尺寸超差", "subtype": "performance", "category": "quality", "function": False,
     "where": "来料全尺寸检验发现{n}件总长超出公差上限{r} mm", "rc": "material",
     "cause": "供应商来料厚度接近公差上限，回弹增大导致成形后尺寸偏大{r} mm",
     "escape": "来料检验只核对质保书，未实测材料厚度；成形后尺寸抽检频次不足",
     "short": ["库存产品全检，超差品隔离待评审",
               "同批次材料暂停使用，通知供应商提供合格材料"],
     "long": ["来料检验增加材料厚度实测，每卷测3点",
              "与供应商签订材料厚度控制协议，要求厚度控制在公差中值±0.03 mm"]},
    {"defect": "包装破损", "subtype": "packaging", "category": "quality", "function": False,
     "where": "收货时发现{n}箱纸箱压塌，箱内产品磕碰变形", "rc": "handling",
     "cause": "装车时纸箱堆码{k}层超过规定的4层，运输途中底层纸箱受压塌陷",
     "escape": "装车检查表未规定堆码层数检查，物流承运商未接受过装载培训",
     "short": ["破损箱内产品全部检查，变形品更换补发",
               "后续发货改用塑料周转箱并加装隔板"],
     "long": ["修订装车作业规范，规定堆码不超过4层并拍照留档",
              "对承运商进行装载要求培训并纳入承运商考核"]},
    {"defect": "数量短缺", "subtype": "quantity_shortage", "category": "delivery",
     "function": False,
     "where": "收货清点发现实际数量比送货单少{n}件", "rc": "method",
     "cause": "包装工位按重量计数，电子秤未按期校准，单重设定偏差导致每箱少装",
     "escape": "出货前未复核箱数及单箱数量，送货单数量直接取自系统计划数",
     "short": ["当天补发短缺数量，并重新清点库存产品",
               "电子秤立即校准，重新核定单重参数"],
     "long": ["电子秤纳入计量器具管理，每月校准一次",
              "出货增加箱数及抽箱点数复核，送货单按实际装箱数打印"]},
    {"defect": "延迟交货", "subtype": "delivery", "category": "delivery", "function": False,
     "where": "订单要求交货数量中有{n}件未按期交付", "rc": "process",
     "cause": "注塑机液压系统故障停机{k}天，备用设备模具不通用，排产未及时调整",
     "escape": "生产计划未设置安全库存，设备故障后未及时通知客户延期",
     "short": ["安排两班加班生产，分批补齐欠交数量",
               "每日向客户通报生产及发货进度"],
     "long": ["关键零件设定3天安全库存",
              "设备故障超过4小时须通知销售部并评估交期影响"]},
]

STAGES = ["客户总装线装配", "客户来料检验", "客户分装线试装", "客户终检", "客户仓库开箱"]
CONTAINMENT = [("at_customer", "sort"), ("in_transit", "quarantine"), ("stock", "sort"),
               ("line", "stop_and_hold")]
ROSTER = {"sales": "zhao.lei", "quality": "li.ming", "quality_mgr": "wang.fang",
          "production": "chen.jun", "engineering": "liu.yang", "purchasing": "zhou.min"}
OWNER_DEPT = {"li.ming": "quality", "chen.jun": "production", "liu.yang": "engineering",
              "zhou.min": "purchasing", "zhao.lei": "sales", "wang.fang": "quality"}
STATUSES = [("closed", 55), ("closed_internal", 10), ("verifying", 10), ("actions", 10),
            ("investigating", 8), ("registered", 5), ("rejected", 2)]
SEVERITY_ZH = {"major": "重大", "general": "一般", "minor": "轻微"}
DEPT_ZH = {"production": "生产部", "quality": "品质部", "engineering": "技术部"}
RANK = {"registered": 0, "investigating": 1, "actions": 2, "verifying": 3,
        "closed_internal": 4, "closed": 5, "rejected": 1}


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _dt(day: date, hour: int, minute: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{TZ}"


def make_record(rng: random.Random, rid: str, received: datetime, part_no: str) -> dict:
    code = rng.choices(list(CUSTOMERS), weights=[c["weight"] for c in CUSTOMERS.values()])[0]
    cust = CUSTOMERS[code]
    contact_name, contact_mail, contact_title = rng.choice(cust["contacts"])
    part_name, spec = rng.choice(cust["parts"])
    fam = rng.choice(DEFECTS)
    status = _weighted(rng, STATUSES)
    rank = RANK[status]
    day = received.date()
    delivered = rng.randrange(5, 120) * 100
    n_bad = rng.randint(3, max(4, delivered // 40))
    fill = {"n": n_bad, "stage": rng.choice(STAGES), "st": rng.randint(2, 6),
            "r": f"{rng.uniform(0.2, 2.4):.1f}", "k": rng.randint(3, 12)}
    where = fam["where"].format(**fill)
    safety = fam["function"] and rng.random() < 0.05
    function = fam["function"] and rng.random() < 0.7
    amount = rng.choice([0, 0, rng.randrange(5, 50) * 100, rng.randrange(20, 400) * 100])
    # the severity rules of qmsdoc.yaml: safety/function or >= RMB 5,000 is major
    severity = "major" if safety or function or amount >= 5000 else \
        rng.choice(["general", "minor"])
    delivery = day - timedelta(days=rng.randint(1, 20))
    lot1 = f"L{delivery - timedelta(days=rng.randint(2, 6)):%y%m%d}-{rng.choice('DN')}"
    lot = lot1 if rng.random() < 0.6 else f"{lot1} / L{delivery - timedelta(days=1):%y%m%d}-D"
    serial = rng.randint(1, 9999)
    order_no = f"{cust['prefix']}-PO-{delivery:%y%m}-{rng.randint(1, 9999):04d}"

    def later(lo: int, hi: int) -> date:
        return day + timedelta(days=rng.randint(lo, hi))

    rec: dict = {
        "kind": "complaint",
        "id": rid,
        "title": f"{part_name}{fam['defect']}，涉及{n_bad}件({fill['stage']})",
        "customer": code,
        "customer_complaint_no": f"{cust['prefix']}-QN-{day:%y%m}-{serial:04d}",
        "status": status,
        "received_at": _dt(day, received.hour, received.minute),
        "received_by": "zhao.lei",
        "channel": rng.choice(["phone", "email", "email", "portal", "visit"]),
        "contact": {"name": contact_name, "title": contact_title,
                    "phone": f"{cust['phone']}-{rng.randint(2000, 8999)} {rng.randint(1000, 9999)}",
                    "email": f"{contact_mail}@{cust['domain']}"},
        "category": fam["category"],
        "subtype": fam["subtype"],
        "severity": severity,
        "urgency": "high" if severity == "major" else rng.choice(["medium", "low"]),
        "impact": {"safety": safety, "function": function, "amount_rmb": amount,
                   "description": (f"{where}，客户将在线及库存{delivered // 2:,}件隔离检查。"
                                   + (f"客户提出索赔{amount:,}元。" if amount
                                      else "暂未提出索赔。"))},
        "product": {"part_no": part_no, "name": part_name, "spec": spec, "order_no": order_no,
                    "lot": lot, "delivery_date": delivery.isoformat(), "unit": "pcs",
                    "qty_delivered": delivered, "qty_defective": n_bad,
                    "ship_to": rng.choice(cust["ship_to"])},
        "description": (f"客户反馈{part_name}{fam['defect']}：{where}。"
                        f"涉及我司{delivery:%m月%d日}交货批次{lot1}，订单{order_no}，"
                        f"交货{delivered:,}件。客户已将不良品隔离并拍照反馈。"),
        "customer_request": rng.choice([
            "24小时内提交临时措施，7天内提交8D报告；不良品由我司补货。",
            "48小时内派人到客户处挑选并补足良品，14天内提交完整改善报告。",
            "立即补发良品，书面说明原因并提交后续交付保证计划。",
        ]),
    }
    if rng.random() < 0.5:
        rec["warranty"] = {"in_warranty": True,
                           "basis": f"交货{(day - delivery).days}天后发现，在合同质保期内"}
    if status == "rejected":
        rec["rejection_reason"] = (f"退回样件批号与我司{delivery:%m月%d日}出货记录不符，"
                                   "经客户确认为其他供应商产品，投诉不成立。")
        rec["communications"] = [{"at": _dt(later(1, 3), 10, 30), "by": "zhao.lei",
                                  "type": "reply", "contact": contact_name,
                                  "summary": "书面答复投诉不成立并附批号核对记录，客户确认。"}]
        return rec
    if rank >= 1:
        rec["samples_received"] = {"received": True, "qty": rng.randint(2, 12),
                                   "date": later(1, 2).isoformat(),
                                   "note": (f"客户退回不良样件，"
                                            f"由{rng.choice(['李明', '王芳'])}带回")}
        ver_day = later(1, 3)
        rec["verification"] = {
            "our_product": True,
            "method": rng.sample(["visual", "lab_test", "onsite_sampling"], rng.randint(1, 2)),
            "result": f"退回样件批号为{lot1}，确认为我司产品。{fam['defect']}属实，不良{n_bad}件。",
            "verified_by": "li.ming",
            "verified_at": ver_day.isoformat(),
            "opinions": [
                {"department": "quality",
                 "opinion": f"确认为我司产品，按{SEVERITY_ZH[severity]}客诉处理。",
                 "by": "wang.fang", "date": ver_day.isoformat()},
            ],
        }
        rows = rng.sample(CONTAINMENT, rng.randint(1, 3))
        rec["containment"] = []
        for loc, act in rows:
            checked = rng.randint(5, 40) * 50
            rec["containment"].append({
                "location": loc, "action": act, "qty_checked": checked,
                "qty_nok": rng.randint(0, max(1, checked // 60)),
                "owner": rng.choice(["li.ming", "chen.jun"]), "date": later(0, 2).isoformat(),
            })
    if rank >= 2:
        dept = rng.choice(["production", "quality", "engineering"])
        rec["responsibility"] = {"party": "internal", "department": dept,
                                 "code": rng.choice("ABCDEFG"),
                                 "reason": (f"{fam['cause'].format(**fill)}，"
                                            f"属{DEPT_ZH[dept]}责任。")}
        rec["root_cause"] = {"category": fam["rc"], "description": fam["cause"].format(**fill),
                             "escape_point": fam["escape"]}
        actions: dict = {"short_term": [], "long_term": []}
        for group, texts, lo, hi in (("short_term", fam["short"][: rng.randint(1, 2)], 0, 3),
                                     ("long_term", fam["long"][: rng.randint(1, 2)], 5, 25)):
            for text in texts:
                owner = rng.choice(["li.ming", "chen.jun", "liu.yang"])
                due = later(lo + 1, hi + 2)
                action: dict = {"description": text, "owner": owner,
                                "department": OWNER_DEPT[owner], "due": due.isoformat()}
                if rank >= 3 or rng.random() < 0.5:
                    done = later(lo, hi)
                    action["done"] = done.isoformat()
                    if rank >= 4 or (rank == 3 and rng.random() < 0.5):
                        action["verification"] = {
                            "by": "wang.fang" if owner == "li.ming" else "li.ming",
                            "date": (done + timedelta(days=rng.randint(1, 6))).isoformat(),
                            "result": "effective"}
                actions[group].append(action)
        rec["actions"] = actions
    if rank >= 4:
        kind = "claim" if amount else rng.choice(["replace", "rework", "return"])
        rec["disposition"] = {"type": kind,
                              "description": (
                                  f"接受客户索赔{amount:,}元，不良品由我司补货。" if amount
                                  else "不良品退回我司返工或报废，由我司补足良品。"),
                              "cost_rmb": amount}
        closed = later(35, 50)
        rec["closure"] = {"internal": {"date": closed.isoformat(), "by": "wang.fang",
                                       "notes": "对策实施后连续3批跟踪未再发生，内部结案。"}}
    follow_up: dict | None = None
    if status == "closed":
        # 谁投诉谁关闭: the customer confirms at the follow-up 3 months after internal closure
        confirmed = closed + timedelta(days=rng.randint(93, 105))
        rec["closure"]["customer"] = {"date": confirmed.isoformat(), "by": "zhao.lei",
                                      "customer_contact": contact_name,
                                      "satisfaction": rng.choice(["satisfied", "satisfied",
                                                                  "basically_satisfied"])}
        follow_up = {"at": _dt(confirmed, rng.randint(9, 16), rng.randint(0, 59)),
                     "by": "zhao.lei", "type": "follow_up", "contact": contact_name,
                     "summary": "三个月后电话回访，客户确认后续批次未再发生同类问题，"
                                "同意关闭投诉。"}
    comms = [{"at": _dt(day, min(received.hour + 1, 23), rng.randint(0, 59)), "by": "zhao.lei",
              "type": "reply", "contact": contact_name,
              "summary": "电话答复已收到投诉，库存及在途产品全部冻结，当天安排品质工程师跟进。"}]
    if rank >= 2:
        comms.append({"at": _dt(later(2, 6), rng.randint(9, 17), rng.randint(0, 59)),
                      "by": "wang.fang", "type": "eightd_sent", "contact": contact_name,
                      "summary": "邮件发送改善报告(D1–D4)及临时措施。"})
    if follow_up:
        comms.append(follow_up)
    rec["communications"] = comms
    return rec


def render(rec: dict) -> str:
    head = "# yaml-language-server: $schema=../../../schemas/complaint.schema.json\n"
    return head + "\n".join(emit(rec)) + "\n"


def count_values(node: object) -> int:
    if isinstance(node, dict):
        return sum(count_values(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_values(v) for v in node)
    return 1


def plan() -> list[tuple[str, datetime]]:
    """Ids and receipt times: N records spread over YEARS, serials in receipt order."""
    rng = random.Random(SEED)
    per_year = [N // len(YEARS) + (1 if i < N % len(YEARS) else 0) for i in range(len(YEARS))]
    result: list[tuple[str, datetime]] = []
    for year, count in zip(YEARS, per_year, strict=True):
        minutes = sorted(rng.randrange(0, 365 * 24 * 60) for _ in range(count))
        for serial, minute in enumerate(minutes, 1):
            at = datetime(year, 1, 1) + timedelta(minutes=minute)
            at = at.replace(hour=8 + at.hour % 10)  # office hours
            result.append((f"CC-{year}-{serial:04d}", at))
    return result


def fingerprint() -> str:
    h = hashlib.sha256()
    h.update(f"v{GENERATOR_VERSION} n={N} seed={SEED}".encode())
    source = Path(__file__).read_text("utf-8")  # the generator's code, not the measuring part
    h.update(source[source.index("# a small YAML writer"):source.index("def fingerprint")].encode())
    h.update(CONFIG.read_bytes())
    h.update(SAMPLE.read_bytes())
    return h.hexdigest()


def generate() -> list[Path]:
    """The repository's record files, generated unless the marker says they are current."""
    wanted = fingerprint()
    if MARKER.is_file() and (REPO / ".git").is_dir():
        try:
            marker = json.loads(MARKER.read_text())
        except ValueError:
            marker = {}
        if marker.get("fingerprint") == wanted and git("rev-parse", "HEAD").strip() == \
                marker.get("head"):
            git("checkout", "-q", "--", "records")  # undo a change left by an interrupted run
            git("clean", "-q", "-f", "--", "records")
            files = [REPO / p for p in marker["files"]]
            if all(p.is_file() for p in files[:: max(1, len(files) // 50)]):
                print(f"reusing {len(files):,} generated records in {REPO.relative_to(ROOT)}")
                return files
    started = time.perf_counter()
    if REPO.exists():
        shutil.rmtree(REPO)
    MARKER.unlink(missing_ok=True)
    (REPO / "records").mkdir(parents=True)
    shutil.copyfile(CONFIG, REPO / "qmsdoc.yaml")
    sample_text = SAMPLE.read_text("utf-8")
    assert "kind: complaint" in sample_text  # the sample the content is modelled on
    rng = random.Random(SEED + 1)
    # unique 7-digit part numbers with leading zeros, like the sample's "0012345"
    parts = [f"{n:07d}" for n in rng.sample(range(10000, 999999), N)]
    files: list[Path] = []
    sizes: list[int] = []
    values: list[int] = []
    for (rid, received), part_no in zip(plan(), parts, strict=True):
        rec = make_record(rng, rid, received, part_no)
        text = render(rec)
        path = REPO / "records" / "complaints" / rid[3:7] / f"{rid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        files.append(path)
        sizes.append(len(text.encode()))
        values.append(count_values(rec))
    print(f"generated {len(files):,} records in {time.perf_counter() - started:.1f} s: "
          f"mean {statistics.mean(sizes) / 1024:.1f} KB "
          f"(min {min(sizes) / 1024:.1f}, max {max(sizes) / 1024:.1f}), "
          f"mean {statistics.mean(values):.0f} values (min {min(values)}, max {max(values)})")
    check_subset(files)
    started = time.perf_counter()
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", f"{N} generated complaint records")
    head = git("rev-parse", "HEAD").strip()
    MARKER.write_text(json.dumps({"fingerprint": wanted, "head": head,
                                  "files": [p.relative_to(REPO).as_posix() for p in files]}))
    print(f"committed in {time.perf_counter() - started:.1f} s")
    return files


def check_subset(files: list[Path]) -> None:
    """Validate a few hundred generated records in a scratch repository first."""
    sub = WORK / "validate-subset"
    if sub.exists():
        shutil.rmtree(sub)
    rng = random.Random(SEED + 2)
    chosen = rng.sample(files, min(300, len(files)))
    for path in chosen:
        target = sub / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    shutil.copyfile(CONFIG, sub / "qmsdoc.yaml")
    _, proc = run([tool("qmsdoc"), "--repo", str(sub), "validate", "--format", "json"],
                  ok=(0, 1), what="qmsdoc validate (subset of generated records)")
    problems = json.loads(proc.stdout).get("problems", []) if proc.stdout.strip() else []
    if proc.returncode != 0 or problems:
        shown = "\n".join(f"  {p['path']}:{p['line']}: {p['severity']}[{p['code']}] {p['field']}: "
                          f"{p['message']}" for p in problems[:20])
        if proc.returncode != 0:
            raise BenchError(f"generated records are not valid:\n{shown}\n{proc.stderr}")
        print(f"note: {len(problems)} warnings on the subset:\n{shown}")
    print(f"subset check: {len(chosen)} generated records valid")
    shutil.rmtree(sub)


# --------------------------------------------------------------------------------------------
# measurements
# --------------------------------------------------------------------------------------------


def timed(cmd: list[str], repeat: int, *, cwd: Path | None = None, ok: tuple[int, ...] = (0,),
          what: str = "") -> tuple[list[Timing], subprocess.CompletedProcess[str]]:
    times: list[Timing] = []
    proc = None
    for _ in range(repeat):
        elapsed, proc = run(cmd, cwd=cwd, ok=ok, what=what)
        times.append(elapsed)
    assert proc is not None
    return times, proc


_SUMMARY = re.compile(r"(\d+) records? checked, (\d+) errors?, (\d+) warnings?")


def summary_of(proc: subprocess.CompletedProcess[str]) -> tuple[int, int, int]:
    match = _SUMMARY.search(proc.stdout)
    if not match:
        raise BenchError(f"no summary line in qmsdoc output:\n{proc.stdout[-2000:]}")
    return int(match[1]), int(match[2]), int(match[3])


def changed_since(qmsdoc: str, files: list[Path]) -> tuple[list[Timing], int, str]:
    path = files[len(files) // 2]
    original = path.read_bytes()
    text = original.decode("utf-8")
    marker = "\ndescription: >-\n"
    if marker not in text:
        raise BenchError(f"{path}: no folded description to change")
    extra = "  【复核】客户补充说明：同批次另有2件外观轻微变形，已一并处理。\n"
    changed = text.replace(marker, marker + extra, 1)
    path.write_bytes(changed.encode("utf-8"))
    try:
        status = git("status", "--porcelain", "--", "records")
        if path.name not in status:
            raise BenchError(f"git does not see the change to {path}")
        times, proc = timed([qmsdoc, "--repo", str(REPO), "validate", "--changed-since", "HEAD"],
                            REPEAT, what="qmsdoc validate --changed-since HEAD")
    finally:
        path.write_bytes(original)
    if git("status", "--porcelain", "--", "records").strip():
        raise BenchError("the changed record was not restored")
    checked, errors, warnings = summary_of(proc)
    if errors:
        raise BenchError(f"--changed-since reported errors:\n{proc.stdout[-2000:]}")
    return times, checked, path.relative_to(REPO).as_posix()


def check_jsonschema(files: list[Path]) -> tuple[Timing, int, str]:
    """One run over every file (batched only when argv would be too long)."""
    _, proc = run([tool("qmsdoc"), "--repo", str(REPO), "schema", "complaint"],
                  what="qmsdoc schema complaint")
    SCHEMA_OUT.write_text(proc.stdout, "utf-8")
    rel = [p.relative_to(REPO).as_posix() for p in files]
    base = [tool("check-jsonschema"), "--schemafile", str(SCHEMA_OUT)]
    limit = max(32_000, min(os.sysconf("SC_ARG_MAX") // 2, 1_000_000)) if hasattr(os, "sysconf") \
        else 32_000
    batches: list[list[str]] = [[]]
    size = 0
    for name in rel:
        if size + len(name) + 1 > limit and batches[-1]:
            batches.append([])
            size = 0
        batches[-1].append(name)
        size += len(name) + 1
    total = Timing(0.0, 0.0)
    outputs: list[str] = []
    for batch in batches:
        elapsed, proc = run([*base, *batch], cwd=REPO, what="check-jsonschema")
        total = Timing(total.wall + elapsed.wall, total.cpu + elapsed.cpu)
        outputs.append(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")
    return total, len(batches), "; ".join(sorted(set(outputs)))


def yaml_composer() -> str:
    """Which YAML composer qmsdoc uses (libyaml is ~4-5x faster than PyYAML's pure Python)."""
    code = ("import yaml, qmsdoc.yamlload as y; "
            "print(any(c.__module__.startswith('yaml._yaml') for c in y._Composer.__mro__), "
            "yaml.__with_libyaml__)")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, timeout=60)
        uses_c, available = proc.stdout.split()
    except (OSError, ValueError, subprocess.SubprocessError):
        return "unknown"
    if uses_c == "True":
        return "libyaml (C)"
    return "pure Python" + (" (libyaml is installed but not used)" if available == "True" else "")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    try:
        qmsdoc = tool("qmsdoc")
        WORK.mkdir(parents=True, exist_ok=True)
        files = generate()
        count = len(files)

        full, proc = timed([qmsdoc, "--repo", str(REPO), "-q", "validate"], REPEAT,
                           what="qmsdoc -q validate")
        checked, errors, warnings = summary_of(proc)
        if checked != count:
            raise BenchError(f"qmsdoc checked {checked} records, expected {count}")
        serial, _ = timed([qmsdoc, "--repo", str(REPO), "-q", "validate", "-j", "1"], 1,
                          what="qmsdoc -q validate -j 1")
        startup, _ = timed([qmsdoc, "--version"], REPEAT, what="qmsdoc --version")
        one, changed_checked, changed_path = changed_since(qmsdoc, files)
        cj_time, cj_batches, cj_result = check_jsonschema(files)
    except BenchError as exc:
        print(f"bench_validate: FAILED: {exc}", file=sys.stderr)
        return 1

    best = min(full)
    median = statistics.median(t.wall for t in full)
    ratio = cj_time.wall / best.wall
    one_best = min(one)
    one_median = statistics.median(t.wall for t in one)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    cpus = os.cpu_count() or 1
    print()
    print(f"machine: {cpus} CPUs ({sys.platform}, Python {sys.version.split()[0]}); "
          f"load average now {load}; qmsdoc default jobs = min(4, CPUs) = {max(1, min(4, cpus))}")
    print(f"qmsdoc YAML composer: {yaml_composer()}")
    print(f"repository: {REPO.relative_to(ROOT)} ({count:,} complaint records); "
          f"qmsdoc timings: best of {REPEAT} run{'s' if REPEAT > 1 else ''}")
    print()
    rows = [
        ("qmsdoc -q validate (default jobs)", count, best, f"median {median:.2f} s"),
        ("qmsdoc -q validate -j 1", count, min(serial), "1 run, no worker processes"),
        ("check-jsonschema", count, cj_time,
         f"1 run, {cj_batches} process{'es' if cj_batches > 1 else ''}"),
    ]
    print(f"{'command':<36} {'records':>8} {'seconds':>8} {'records/s':>10} {'CPU s':>7}  note")
    print("-" * 90)
    for name, n, t, note in rows:
        print(f"{name:<36} {n:>8,} {t.wall:>8.2f} {n / t.wall:>10,.0f} {t.cpu:>7.2f}  {note}")
    print(f"{'qmsdoc --changed-since HEAD':<36} {1:>8} {one_best.wall:>8.3f} {'':>10} "
          f"{one_best.cpu:>7.2f}  median {one_median:.3f} s; {changed_checked} record(s) checked")
    print(f"{'qmsdoc --version (startup)':<36} {'':>8} {min(startup).wall:>8.3f} {'':>10} "
          f"{min(startup).cpu:>7.2f}")
    print("(seconds: whole-process wall time; CPU s: user+system of the process and its workers)")
    print()
    print(f"qmsdoc result:           {checked:,} records checked, {errors} errors, "
          f"{warnings} warnings")
    print(f"check-jsonschema result: {cj_result}")
    print(f"changed record:          {changed_path}")
    print()
    print(f"target  qmsdoc >= {TARGET_RATIO:.0f}x faster than check-jsonschema (wall):  "
          f"{ratio:6.1f}x     {verdict(ratio >= TARGET_RATIO)}")
    print(f"target  --changed-since HEAD, 1 changed record, < {TARGET_CHANGED_S:.0f} s:  "
          f"{one_best.wall:6.3f} s    {verdict(one_best.wall < TARGET_CHANGED_S)}")
    if count == 10_000:
        lo, hi = EXPECTED_FULL_S
        print(f"expect  full validate of 10,000 records in ~{lo:.0f}-{hi:.0f} s:     "
              f"{best.wall:6.2f} s    {verdict(best.wall <= hi)}")
    return 0


if __name__ == "__main__":
    _code = main()
    if _code:  # exit only on failure, so that bench/run.py goes on after a success
        sys.exit(_code)
