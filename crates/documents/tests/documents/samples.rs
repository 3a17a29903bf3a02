//! Two documents as the inspection use cases will fill them: a one-page 检查通知书 and a 现场检查记录 long
//! enough to run over several pages with a table of problems.

use lianjian_documents::{Block, Closing, Document};

pub const AUTHORITY: &str = "上海市宝山区生态环境局";
pub const INSTITUTION: &str = "上海蓝天环境检测技术有限公司";
pub const NUMBER: &str = "宝环检通〔2026〕12号";
pub const DEADLINE: &str = "2027年1月15日";
pub const PROBLEM: &str = "原始记录中2026年11月3日的化学需氧量（COD）平行样测定结果缺少复核人签字";

pub fn notice() -> Document {
    Document {
        authority: AUTHORITY.into(),
        title: "检查通知书".into(),
        number: Some(NUMBER.into()),
        addressee: Some(INSTITUTION.into()),
        blocks: vec![
            Block::Paragraph(format!(
                "根据《生态环境监测机构监督管理办法》和本市“双随机、一公开”监管工作安排，\
                 我局定于{DEADLINE}前对你单位开展生态环境监测质量检查，请指定专人配合。"
            )),
            Block::Heading("一、检查事项".into()),
            Block::Paragraph(format!(
                "（一）监测报告及原始记录的真实性、完整性，重点核查：{PROBLEM}等情况。"
            )),
            Block::Fields(vec![
                ("被检查单位".into(), INSTITUTION.into()),
                ("统一社会信用代码".into(), "91310113MA1GL2XK3P".into()),
            ]),
            Block::Signatures(vec![
                "执法人员：张卫东（执法证号 31011234）  ______".into(),
                "执法人员：李敏（执法证号 31011288）  ______".into(),
            ]),
        ],
        closing: Closing { authority: AUTHORITY.into(), date: "2026年12月20日".into(), seal_area: true },
        footer_note: Some("本通知书一式两份，一份送达被检查单位，一份存档。".into()),
    }
}

/// The problems table of the record: (序号, 检查项目, 发现的问题, 依据).
pub fn problems() -> Vec<Vec<String>> {
    problems_n(36)
}

fn problems_n(n: usize) -> Vec<Vec<String>> {
    let items = ["样品采集与保存", "原始记录", "仪器设备检定校准", "人员持证上岗", "报告签发"];
    (1..=n)
        .map(|i| {
            let item = items[i % items.len()];
            let problem = if i == 7 {
                PROBLEM.to_owned()
            } else {
                format!(
                    "第{i}项：{item}抽查的{}份记录中，有{}份不符合技术规范要求，相关人员未能当场说明原因。",
                    10 + i,
                    i % 4 + 1
                )
            };
            vec![i.to_string(), item.to_owned(), problem, format!("HJ {}-2021 第{}条", 1000 + i, i % 9 + 1)]
        })
        .collect()
}

pub const HEADERS: [&str; 4] = ["序号", "检查项目", "发现的问题", "依据"];

pub fn record() -> Document {
    record_with(36)
}

/// The record with `rows` problems in its table.
pub fn record_with(rows: usize) -> Document {
    let mut blocks = vec![
        Block::Fields(vec![
            ("被检查单位".into(), INSTITUTION.into()),
            ("统一社会信用代码".into(), "91310113MA1GL2XK3P".into()),
            ("地址".into(), "上海市宝山区沪太路1234号5幢2层".into()),
            ("法定代表人".into(), "王建国".into()),
            ("检查时间".into(), "2026年12月18日9时30分至12时00分".into()),
            ("检查人员".into(), "张卫东（执法证号 31011234）、李敏（执法证号 31011288）".into()),
        ]),
        Block::Heading("一、检查情况".into()),
    ];
    for i in 0..4 {
        blocks.push(Block::Paragraph(format!(
            "检查人员出示执法证件，告知检查依据和被检查单位的权利义务后，对该单位第{}批次监测报告进行了抽查。\
             抽查报告涉及地表水、废气、噪声三类，共计{}份，均附有原始记录和质控数据。",
            i + 1,
            20 + i
        )));
    }
    blocks.push(Block::Heading("二、发现的问题".into()));
    blocks.push(Block::Table {
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: problems_n(rows),
        widths: vec![0.8, 1.6, 4.5, 1.8],
    });
    blocks.push(Block::Heading("三、整改要求".into()));
    blocks.push(Block::Paragraph(format!("请你单位于{DEADLINE}前完成整改，并将整改报告报送我局。")));
    blocks.push(Block::Spacer(5.0));
    blocks.push(Block::Signatures(vec![
        "被检查单位负责人（签字）：______    日期：______".into(),
        "执法人员：张卫东（执法证号 31011234）  ______".into(),
    ]));
    Document {
        authority: AUTHORITY.into(),
        title: "现场检查记录".into(),
        number: Some("宝环检记〔2026〕88号".into()),
        addressee: None,
        blocks,
        closing: Closing { authority: AUTHORITY.into(), date: "2026年12月18日".into(), seal_area: true },
        footer_note: Some("本记录经被检查单位核对无误后签字确认。".into()),
    }
}
